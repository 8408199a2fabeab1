// A STUN and TURN server (RFC 8489, RFC 8656) on pion/turn, which nobody on the team wrote: it
// answers Binding requests with the address it saw, which is how Pinhole learns its
// server-reflexive candidate behind a NAT. TURN allocations need user "pinhole", password
// "secret". Built from Debian's golang-github-pion-turn.v2-dev with GO111MODULE=off.
package main

import (
	"flag"
	"log"
	"net"
	"os"
	"os/signal"

	"github.com/pion/turn/v2"
)

func main() {
	address := flag.String("listen", "127.0.0.1:3478", "UDP address")
	relay := flag.String("relay-ip", "127.0.0.1", "address relayed candidates get")
	flag.Parse()
	conn, err := net.ListenPacket("udp4", *address)
	if err != nil {
		log.Fatal(err)
	}
	key := turn.GenerateAuthKey("pinhole", "pinhole", "secret")
	server, err := turn.NewServer(turn.ServerConfig{
		Realm: "pinhole",
		AuthHandler: func(username, realm string, _ net.Addr) ([]byte, bool) {
			return key, username == "pinhole"
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP(*relay), Address: *relay},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("STUN/TURN on udp %s", *address)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, os.Kill)
	<-stop
	_ = server.Close()
}
