import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import NIOCore
import Testing
import Transport
@testable import Agent

/// Every route and every status of the HTTP contract, through Hummingbird's router test client
/// against the agent's real parts (transport on a loopback port, test pattern, tone), and the
/// OpenAPI document checked against both: the router's routes are exactly the documented paths
/// and methods, and the statuses the test produced are exactly the documented responses.
@Suite(.serialized) struct HTTPRoutesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let offer = try! String(contentsOf: root.appendingPathComponent("Tests/WireFormatTests/Fixtures/sdp/chromium-156-recvonly-offer.sdp"), encoding: .utf8)
    static let iceServers = ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478?transport=udp,username=pi,credential=s3cret"]

    /// The agent's parts, served by a router; `body` runs with its test client.
    static func withAgent<Value: Sendable>(token: String = "", maxViewers: Int = 1,
                                            _ body: @Sendable (any TestClientProtocol, Assembly) async throws -> Value) async throws -> Value {
        var configuration = Configuration()
        (configuration.video, configuration.audio, configuration.udp) = ("test", "test", "127.0.0.1:0")
        (configuration.token, configuration.maxViewers, configuration.iceServers) = (token, maxViewers, iceServers)
        let parts = try Assembly(configuration: configuration, logger: Logger(label: "test"))
        parts.transport.start()
        defer {
            parts.streamer.stop(by: "test")
            parts.transport.stop()
        }
        let router = Router()
        try parts.routes(gpio: nil).add(to: router)
        return try await Application(router: router).test(.router) { client in try await body(client, parts) }
    }

    /// Requests made, and the statuses they got, by documented path template.
    final class Exercised: @unchecked Sendable {
        var seen = Set<String>()
        let client: any TestClientProtocol
        init(_ client: any TestClientProtocol) { self.client = client }

        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, as template: String? = nil, headers: HTTPFields = [:],
                  body: String? = nil, expect status: HTTPResponse.Status) async throws -> TestResponse {
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            #expect(response.status == status, "\(method) \(uri): \(String(buffer: response.body))")
            seen.insert("\(method.rawValue) \(template ?? uri) \(response.status.code)")
            return response
        }
    }

    static func fragment(ufrag: String, pwd: String) -> String {
        "a=ice-ufrag:\(ufrag)\r\na=ice-pwd:\(pwd)\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
            + "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n"
    }

    static func offerCredentials() -> (ufrag: String, pwd: String) {
        let value = { (name: String) in offer.split(whereSeparator: \.isNewline).first { $0.hasPrefix("a=\(name):") }!.dropFirst(name.count + 3) }
        return (String(value("ice-ufrag")), String(value("ice-pwd")))
    }

    @Test func everyRouteAndStatusMatchesTheOpenAPIDocument() async throws {
        let open = try await Self.withAgent { client, parts in
            let e = Exercised(client)
            try await Self.viewerPageAndWHEP(e)
            try await Self.statusControlAndMetrics(e)
            try await Self.events(e, bus: parts.events)
            return e.seen
        }
        let guarded = try await Self.withAgent(token: "secret") { client, _ in try await Self.authentication(Exercised(client)) }
        let document = try OpenAPI(url: Self.root.appendingPathComponent("docs/openapi.json"))
        #expect(open.union(guarded) == document.responses)
        let routes = try await Self.withAgent { _, parts in
            let router = Router()
            try parts.routes(gpio: nil).add(to: router)
            return Set(router.routes.map { "\($0.method.rawValue) \(OpenAPI.template($0.path.description))" })
        }
        #expect(routes == document.operations)
    }

    static func viewerPageAndWHEP(_ e: Exercised) async throws {
        let page = try await e.call(.get, "/", expect: .ok)
        #expect(String(buffer: page.body).contains("<video") && page.headers[.contentType]?.hasPrefix("text/html") == true)
        let options = try await e.call(.options, "/whep", expect: .noContent)
        #expect(options.headers[values: HTTPField.Name("Accept-Post")!] == ["application/sdp"])
        // A browser's CORS preflight: allowed, and Location readable by the page (WHEP §4.1).
        let preflight = try await e.call(.options, "/whep", headers: [HTTPField.Name("Origin")!: "http://viewer.example",
                                                                      HTTPField.Name("Access-Control-Request-Method")!: "POST"],
                                         expect: .noContent)
        #expect(preflight.headers[HTTPField.Name("Access-Control-Allow-Origin")!] == "http://viewer.example")
        let sdp: HTTPFields = [.contentType: "application/sdp"]
        let bad = try await e.call(.post, "/whep", headers: sdp, body: "v=0\r\nno type=value here\r\n", expect: .badRequest)
        #expect(String(buffer: bad.body).contains("line 2"))
        try await e.call(.post, "/whep", headers: [.contentType: "text/plain"], body: offer, expect: .unsupportedMediaType)
        try await e.call(.post, "/whep", headers: sdp, body: String(repeating: "a=x\r\n", count: 14_000), expect: .contentTooLarge)
        let created = try await e.call(.post, "/whep", headers: sdp, body: offer, expect: .created)
        let location = try #require(created.headers[.location])
        let etag = try #require(created.headers[.eTag])
        #expect(location.count == "/whep/sessions/".count + 32 && etag.hasPrefix("\"") && String(buffer: created.body).contains("a=ice-lite"))
        #expect(created.headers[values: HTTPField.Name("Link")!] == [
            "<stun:127.0.0.1:3478>; rel=\"ice-server\"",
            "<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; username=\"pi\"; credential=\"s3cret\"; credential-type=\"password\""])
        let full = try await e.call(.post, "/whep", headers: sdp, body: offer, expect: .serviceUnavailable)
        #expect(full.headers[.retryAfter] != nil)
        try await patches(e, location: location, etag: etag)
        try await e.call(.delete, location, as: "/whep/sessions/{id}", expect: .ok)
        try await e.call(.delete, location, as: "/whep/sessions/{id}", expect: .notFound)
    }

    static func patches(_ e: Exercised, location: String, etag: String) async throws {
        let template = "/whep/sessions/{id}"
        let (ufrag, pwd) = offerCredentials()
        let trickle = fragment(ufrag: ufrag, pwd: pwd)
        let fragmentType: HTTPFields = [.contentType: "application/trickle-ice-sdpfrag"]
        func headers(_ ifMatch: String?) -> HTTPFields {
            var fields = fragmentType
            if let ifMatch { fields[.ifMatch] = ifMatch }
            return fields
        }
        try await e.call(.patch, location, as: template, headers: headers(etag), body: trickle, expect: .noContent)
        try await e.call(.patch, location, as: template, headers: headers(nil), body: trickle, expect: .preconditionRequired)
        try await e.call(.patch, location, as: template, headers: headers("\"stale\""), body: trickle, expect: .preconditionFailed)
        try await e.call(.patch, location, as: template, headers: [.contentType: "application/sdp", .ifMatch: etag], body: trickle,
                         expect: .unsupportedMediaType)
        try await e.call(.patch, location, as: template, headers: headers(etag), body: "b=AS:1\r\n", expect: .badRequest)
        try await e.call(.patch, location, as: template, headers: headers(etag), body: String(repeating: "a=end-of-candidates\r\n", count: 1_000),
                         expect: .contentTooLarge)
        try await e.call(.patch, "/whep/sessions/00000000000000000000000000000000", as: template, headers: headers(etag), body: trickle,
                         expect: .notFound)
        let restarted = try await e.call(.patch, location, as: template, headers: headers("*"),
                                         body: fragment(ufrag: "Restart1", pwd: "restartrestartrestart22"), expect: .ok)
        #expect(restarted.headers[.eTag] != etag && String(buffer: restarted.body).contains("a=ice-ufrag:"))
        try await e.call(.patch, location, as: template, headers: headers(etag), body: trickle, expect: .preconditionFailed)
    }

    static func statusControlAndMetrics(_ e: Exercised) async throws {
        let status = try await e.call(.get, "/api/status", expect: .ok)
        let json = try JSONSerialization.jsonObject(with: Data(String(buffer: status.body).utf8)) as! [String: Any]
        #expect(json["streaming"] as? Bool == false && json["viewerCount"] as? Int == 0)
        for (path, streaming) in [("/api/stream/start", true), ("/api/stream/stop", false), ("/api/stream/toggle", true)] {
            let body = try await e.call(.post, path, expect: .ok).body
            #expect((try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as! [String: Any])["streaming"] as? Bool == streaming)
        }
        for (path, muted) in [("/api/audio/mute", true), ("/api/audio/unmute", false)] {
            let body = try await e.call(.post, path, expect: .ok).body
            let audio = (try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as! [String: Any])["audio"] as! [String: Any]
            #expect(audio["muted"] as? Bool == muted)
        }
        let metrics = String(buffer: try await e.call(.get, "/metrics", expect: .ok).body)
        #expect(metrics.contains("pinhole_streaming 1") && metrics.contains("pinhole_events_total{"))
    }

    /// The stream is endless: the bus is finished until the request returns.
    static func events(_ e: Exercised, bus: EventBus) async throws {
        let closer = Task {
            while !Task.isCancelled {
                bus.publish("streaming", ["state": "started", "by": "test"])
                bus.finishAll()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { closer.cancel() }
        let response = try await e.call(.get, "/api/events", expect: .ok)
        #expect(response.headers[.contentType] == "text/event-stream" && String(buffer: response.body).hasPrefix("retry: 2000\n\n"))
    }

    /// With a token every route but the page and OPTIONS answers 401 and a challenge.
    static func authentication(_ e: Exercised) async throws -> Set<String> {
        try await e.call(.get, "/", expect: .ok)
        let routes: [(HTTPRequest.Method, String, String?)] = [
            (.post, "/whep", nil), (.patch, "/whep/sessions/0", "/whep/sessions/{id}"), (.delete, "/whep/sessions/0", "/whep/sessions/{id}"),
            (.get, "/api/status", nil), (.get, "/api/events", nil), (.get, "/metrics", nil),
            (.post, "/api/stream/start", nil), (.post, "/api/stream/stop", nil), (.post, "/api/stream/toggle", nil),
            (.post, "/api/audio/mute", nil), (.post, "/api/audio/unmute", nil)]
        for (method, uri, template) in routes {
            let response = try await e.call(method, uri, as: template, headers: [.authorization: "Bearer wrong"], expect: .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"pinhole\"")
        }
        try await e.call(.get, "/api/status", headers: [.authorization: "Bearer secret"], expect: .ok)
        return e.seen
    }
}

/// What docs/openapi.json promises: its operations and each operation's response statuses.
struct OpenAPI {
    var operations = Set<String>()
    var responses = Set<String>()

    init(url: URL) throws {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        for (path, item) in document["paths"] as! [String: [String: Any]] {
            for (method, operation) in item where method != "parameters" {
                let name = "\(method.uppercased()) \(path)"
                operations.insert(name)
                for status in ((operation as! [String: Any])["responses"] as! [String: Any]).keys { responses.insert("\(name) \(status)") }
            }
        }
    }

    /// A router path (`/whep/sessions/:id`) as an OpenAPI template (`/whep/sessions/{id}`).
    static func template(_ path: String) -> String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}
