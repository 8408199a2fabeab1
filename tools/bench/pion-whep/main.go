// A WHEP server in the shape most Raspberry Pi camera setups have today (pion's rtp-to-webrtc
// example grown a WHEP endpoint): ffmpeg encodes once and sends RTP here; one shared VP8 track
// and one Opus track are written to every viewer's PeerConnection. Built from Debian's pion 3.1
// (golang-github-pion-webrtc.v3-dev) with GO111MODULE=off. For tools/bench only.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v3"
)

var (
	sessions = map[string]*webrtc.PeerConnection{}
	mutex    sync.Mutex
)

func main() {
	httpAddress := flag.String("http", "127.0.0.1:8090", "WHEP listen address")
	udpAddress := flag.String("udp", "127.0.0.1:8190", "the one UDP address for every viewer (ICE UDP mux)")
	videoRTP := flag.String("video-rtp", "127.0.0.1:5004", "where ffmpeg sends VP8 RTP")
	audioRTP := flag.String("audio-rtp", "127.0.0.1:5006", "where ffmpeg sends Opus RTP")
	flag.Parse()

	video, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "pion")
	check(err)
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", "pion")
	check(err)
	go forward(*videoRTP, video)
	go forward(*audioRTP, audio)

	api := newAPI(*udpAddress)
	http.HandleFunc("/whep", func(w http.ResponseWriter, r *http.Request) { offer(api, video, audio, w, r) })
	http.HandleFunc("/whep/", remove)
	log.Printf("pion WHEP on http://%s/whep, media on udp %s", *httpAddress, *udpAddress)
	check(http.ListenAndServe(*httpAddress, nil))
}

// newAPI: default codecs and interceptors (NACK responder, RTCP reports, TWCC), all viewers on one UDP port.
func newAPI(udpAddress string) *webrtc.API {
	media := &webrtc.MediaEngine{}
	check(media.RegisterDefaultCodecs())
	interceptors := &interceptor.Registry{}
	check(webrtc.RegisterDefaultInterceptors(media, interceptors))
	address, err := net.ResolveUDPAddr("udp", udpAddress)
	check(err)
	conn, err := net.ListenUDP("udp", address)
	check(err)
	settings := webrtc.SettingEngine{}
	settings.SetICEUDPMux(webrtc.NewICEUDPMux(nil, conn))
	settings.SetIncludeLoopbackCandidate(true) // the bench runs on loopback only
	settings.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(media), webrtc.WithInterceptorRegistry(interceptors), webrtc.WithSettingEngine(settings))
}

func forward(address string, track *webrtc.TrackLocalStaticRTP) {
	resolved, err := net.ResolveUDPAddr("udp", address)
	check(err)
	conn, err := net.ListenUDP("udp", resolved)
	check(err)
	check(conn.SetReadBuffer(1 << 20))
	buffer := make([]byte, 1600)
	for {
		n, _, err := conn.ReadFrom(buffer)
		check(err)
		if _, err := track.Write(buffer[:n]); err != nil && err != io.ErrClosedPipe {
			log.Printf("write: %v", err)
		}
	}
}

func cors(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "POST, DELETE, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Expose-Headers", "Location")
}

func offer(api *webrtc.API, video, audio *webrtc.TrackLocalStaticRTP, w http.ResponseWriter, r *http.Request) {
	cors(w)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "POST an SDP offer", http.StatusBadRequest)
		return
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	check(err)
	for _, track := range []*webrtc.TrackLocalStaticRTP{video, audio} {
		sender, err := pc.AddTrack(track)
		check(err)
		go drain(sender)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(body)}); err != nil {
		pc.Close()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	answer, err := pc.CreateAnswer(nil)
	check(err)
	gathered := webrtc.GatheringCompletePromise(pc)
	check(pc.SetLocalDescription(answer))
	<-gathered
	id := randomID()
	mutex.Lock()
	sessions[id] = pc
	mutex.Unlock()
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		if state == webrtc.PeerConnectionStateFailed || state == webrtc.PeerConnectionStateClosed {
			forget(id)
		}
	})
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/whep/"+id)
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, pc.LocalDescription().SDP)
}

// drain reads RTCP so the interceptors (NACK, reports) run; PLI cannot reach ffmpeg.
func drain(sender *webrtc.RTPSender) {
	buffer := make([]byte, 1500)
	for {
		if _, _, err := sender.Read(buffer); err != nil {
			return
		}
	}
}

func remove(w http.ResponseWriter, r *http.Request) {
	cors(w)
	if r.Method == http.MethodDelete {
		forget(strings.TrimPrefix(r.URL.Path, "/whep/"))
	}
	w.WriteHeader(http.StatusOK)
}

func forget(id string) {
	mutex.Lock()
	pc := sessions[id]
	delete(sessions, id)
	mutex.Unlock()
	if pc != nil {
		go pc.Close()
	}
}

func randomID() string {
	bytes := make([]byte, 16)
	_, err := rand.Read(bytes)
	check(err)
	return hex.EncodeToString(bytes)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
