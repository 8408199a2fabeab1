// A WHIP endpoint (RFC 9725) on pion, a WebRTC stack nobody on the team wrote, in ICE-lite mode
// (RFC 8445 §2.5) as media servers often run: Pinhole's agent must control and nominate (pion 3.1's
// lite agent still sends keepalive checks of its own). It reassembles what arrives into
// frames (pion's samplebuilder and VP8 depacketizer) and writes counts to a JSON file twice a
// second. Built from Debian's pion 3.1 (golang-github-pion-webrtc.v3-dev) with GO111MODULE=off.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v3"
	"github.com/pion/webrtc/v3/pkg/media/samplebuilder"
)

type stats struct {
	Posts        int    `json:"posts"`
	Restarts     int    `json:"restarts"`
	Deletes      int    `json:"deletes"`
	Lite         bool   `json:"lite"`
	VideoFrames  int    `json:"video_frames"`
	KeyFrames    int    `json:"key_frames"`
	AudioPackets int    `json:"audio_packets"`
	Answer       string `json:"answer"`
	Certificate  string `json:"certificate"`
}

var (
	mutex    sync.Mutex
	counts        = stats{Lite: true, Certificate: "ECDSA P-256"}
	configuration = webrtc.Configuration{}
	sessions = map[string]*webrtc.PeerConnection{}
)

func main() {
	address := flag.String("http", "127.0.0.1:8099", "listen address")
	statsPath := flag.String("stats", "stats.json", "where the counts go")
	useRSA := flag.Bool("rsa", false, "an RSA 2048 certificate (as GStreamer's webrtcbin has) instead of pion's ECDSA one")
	flag.Parse()
	if *useRSA {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		check(err)
		certificate, err := webrtc.GenerateCertificate(key)
		check(err)
		configuration.Certificates = []webrtc.Certificate{*certificate}
		counts.Certificate = "RSA 2048"
	}
	settings := webrtc.SettingEngine{}
	settings.SetLite(true)
	settings.SetIncludeLoopbackCandidate(true) // the tests run on loopback only
	settings.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	media := &webrtc.MediaEngine{}
	check(media.RegisterDefaultCodecs())
	api := webrtc.NewAPI(webrtc.WithMediaEngine(media), webrtc.WithSettingEngine(settings))
	http.HandleFunc("/whip", func(w http.ResponseWriter, r *http.Request) { publish(api, w, r) })
	http.HandleFunc("/whip/", remove)
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			mutex.Lock()
			data, _ := json.Marshal(counts)
			mutex.Unlock()
			check(os.WriteFile(*statsPath+".part", data, 0o644))
			check(os.Rename(*statsPath+".part", *statsPath))
		}
	}()
	check(http.ListenAndServe(*address, nil))
}

func publish(api *webrtc.API, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "POST an SDP offer", http.StatusBadRequest)
		return
	}
	pc, err := api.NewPeerConnection(configuration)
	check(err)
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { go count(track) })
	if err := negotiate(pc, string(body)); err != nil {
		pc.Close()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := randomID()
	mutex.Lock()
	sessions[id] = pc
	counts.Posts++
	counts.Answer = pc.LocalDescription().SDP
	mutex.Unlock()
	w.Header().Set("Location", "/whip/"+id)
	w.Header().Set("Content-Type", "application/sdp")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(pc.LocalDescription().SDP))
}

// count reassembles VP8 frames (a keyframe has the P bit clear, RFC 6386 §9.1) and counts Opus packets.
func count(track *webrtc.TrackRemote) {
	video := track.Kind() == webrtc.RTPCodecTypeVideo
	builder := samplebuilder.New(64, &codecs.VP8Packet{}, 90000)
	for {
		packet, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		mutex.Lock()
		if !video {
			counts.AudioPackets++
		} else {
			builder.Push(packet)
			for sample := builder.Pop(); sample != nil; sample = builder.Pop() {
				counts.VideoFrames++
				if len(sample.Data) > 0 && sample.Data[0]&1 == 0 {
					counts.KeyFrames++
				}
			}
		}
		mutex.Unlock()
	}
}

// restart answers an ICE restart (RFC 9725 §4.3.2): the PATCHed fragment's credentials and
// candidates go into the session's offer, pion restarts ICE, and its new ones go back.
func restart(w http.ResponseWriter, r *http.Request, pc *webrtc.PeerConnection) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	fragment := iceLines(string(body))
	var offer []string
	for _, line := range lines(pc.RemoteDescription().SDP) {
		if isICE(line) {
			continue
		}
		offer = append(offer, line)
		if strings.HasPrefix(line, "a=mid:") {
			offer = append(offer, fragment...)
		}
	}
	if err := negotiate(pc, strings.Join(offer, "\r\n")); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	reply := iceLines(pc.LocalDescription().SDP)
	mutex.Lock()
	counts.Restarts++
	mutex.Unlock()
	w.Header().Set("Content-Type", "application/trickle-ice-sdpfrag")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(strings.Join(dedupe(reply), "\r\n") + "\r\n"))
}

// negotiate takes an offer and makes the answer, candidates gathered (no trickle).
func negotiate(pc *webrtc.PeerConnection, offer string) error {
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return err
	}
	answer, err := pc.CreateAnswer(nil)
	check(err)
	gathered := webrtc.GatheringCompletePromise(pc)
	check(pc.SetLocalDescription(answer))
	<-gathered
	return nil
}

func lines(sdp string) []string { return strings.Split(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n") }

func isICE(line string) bool {
	return strings.HasPrefix(line, "a=ice-ufrag:") || strings.HasPrefix(line, "a=ice-pwd:") || strings.HasPrefix(line, "a=candidate:")
}

// iceLines: the credentials and candidates of a description or fragment.
func iceLines(sdp string) []string {
	var out []string
	for _, line := range lines(sdp) {
		if isICE(line) {
			out = append(out, line)
		}
	}
	return out
}

func dedupe(lines []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, line := range lines {
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	return out
}

func remove(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Path[len("/whip/"):]
	if r.Method == http.MethodPatch {
		mutex.Lock()
		pc := sessions[id]
		mutex.Unlock()
		if pc == nil {
			http.NotFound(w, r)
			return
		}
		restart(w, r, pc)
		return
	}
	mutex.Lock()
	pc := sessions[id]
	delete(sessions, id)
	if pc != nil {
		counts.Deletes++
	}
	mutex.Unlock()
	if r.Method != http.MethodDelete || pc == nil {
		http.NotFound(w, r)
		return
	}
	_ = pc.Close()
	w.WriteHeader(http.StatusOK)
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
