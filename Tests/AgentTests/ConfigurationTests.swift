import Testing
@testable import Agent

/// The configuration file's arrays and the ICE server entries they carry.
@Suite struct ConfigurationTests {
    @Test func arrayItemsSplitOnlyOutsideStrings() throws {
        let entries = try ConfigFile.parse(#"ice_servers = ["stun:a", "turn:b?transport=udp,username=u,credential=c", "x\"y,z"]"#)
        #expect(entries["ice_servers"]?.value == .strings(["stun:a", "turn:b?transport=udp,username=u,credential=c", "x\"y,z"]))
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.parse(#"advertise = ["a", "b]"#) }
    }

    @Test func iceServerLinksFollowRFC9725() throws {
        let turn = try ICEServerLink(parsing: "turns:relay.example:5349?transport=tcp,username=pi,credential=s3cret")
        #expect(turn.headerValue == #"<turns:relay.example:5349?transport=tcp>; rel="ice-server"; username="pi"; credential="s3cret"; credential-type="password""#)
        #expect(turn.redacted == "turns:relay.example:5349?transport=tcp,username=pi,credential=(hidden)")
        #expect(try ICEServerLink(parsing: "stun:relay.example").headerValue == #"<stun:relay.example>; rel="ice-server""#)
        for bad in ["https://relay.example", "stun:", "turn:relay.example", "stun:a b", "stun:x,username=a\"b", "stun:x,realm=y"] {
            #expect(throws: ICEServerLink.ParseError.self, "\(bad)") { try ICEServerLink(parsing: bad) }
        }
    }

    /// What the publisher reads: a WHIP server's Link headers and the STUN servers among them.
    @Test func linkHeadersAndSTUNServersAreRead() throws {
        let turn = ICEServerLink(linkHeader: #"<turn:relay.example:3478?transport=udp>; rel="ice-server"; username="u"; credential="c"; credential-type="password""#)
        #expect(turn?.username == "u" && turn?.credential == "c" && turn?.stunServer == nil)
        let stun = ICEServerLink(linkHeader: #"<stun:stun.example.net>; rel="ice-server""#)
        #expect(stun?.stunServer?.host == "stun.example.net" && stun?.stunServer?.port == 3478)
        #expect(ICEServerLink(linkHeader: #"<https://example.net/help>; rel="help""#) == nil)
        #expect(ICEServerLink(linkHeader: #"<turn:relay.example>; rel="ice-server""#) == nil)  // TURN without credentials
        #expect(try ICEServerLink(parsing: "stun:[2001:db8::1]:3479").stunServer?.host == "2001:db8::1")
        #expect(try ICEServerLink(parsing: "stun:[2001:db8::1]:3479").stunServer?.port == 3479)
        #expect(try ICEServerLink(parsing: "stun:10.2.0.2:3478").stunServer?.host == "10.2.0.2")
        #expect(try ICEServerLink(parsing: "stuns:secure.example").stunServer == nil)
    }
}

/// The wait before publishing again.
@Suite struct RepublishBackoffTests {
    @Test func doublesToThirtySecondsAndHonoursRetryAfterAboveTheJitter() {
        var backoff = RepublishBackoff()
        let delays = (0..<7).map { _ in backoff.delay(retryAfterSeconds: nil, jitter: 0) }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
        var busy = RepublishBackoff()
        #expect(busy.delay(retryAfterSeconds: 2, jitter: -0.1) == .seconds(2))  // the jitter never undercuts the server
        let jittered = busy.delay(retryAfterSeconds: 2, jitter: 0.1)  // 2 s of backoff by now, plus a tenth
        #expect(jittered > .milliseconds(2_199) && jittered < .milliseconds(2_201))
        busy.published(for: .seconds(9))
        #expect(busy.delay(retryAfterSeconds: nil, jitter: 0) == .seconds(4))
        busy.published(for: .seconds(10))
        #expect(busy.delay(retryAfterSeconds: nil, jitter: 0) == .seconds(1))
    }
}
