internal import Hummingbird
internal import NIOCore
internal import HTTPTypes
internal import FoundationEssentials
internal import Transport
internal import Media
internal import GPIO
internal import SDP

/// The HTTP contract of DESIGN.md: WHEP, status, stream control and the viewer page.
struct HTTPRoutes: Sendable {
    let whep: WHEPService
    let streamer: Streamer
    let transport: MediaTransport
    let gpio: GPIOController?
    let publisher: WHIPPublisher?
    let events: EventBus
    let metrics: MetricsExporter
    let token: String
    let publicStatus: Bool
    let iceServers: [ICEServerLink]
    let startedAt: UInt64

    static let maxOfferBytes = 64 * 1024

    func add(to router: Router<BasicRequestContext>) {
        router.add(middleware: CORSMiddleware(
            allowOrigin: .originBased, allowHeaders: [.contentType, .authorization, .ifMatch],
            allowMethods: [.get, .post, .patch, .delete, .options], exposedHeaders: ["Location", "ETag", "Link"]))
        router.add(middleware: BearerAuthentication(token: token, publicStatus: publicStatus))
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: ViewerPage.html)))
        }
        router.post("/whep") { request, _ in try await createSession(request) }
        router.on("/whep", method: .options) { _, _ in
            Response(status: .noContent, headers: [.acceptPost: "application/sdp", .allow: "OPTIONS, POST"])
        }
        router.patch("/whep/sessions/:id") { request, context in try await patchSession(request, id: context.parameters.get("id") ?? "") }
        router.delete("/whep/sessions/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard whep.deleteSession(id: id) else { return Self.error(.notFound, "unknown session", "no session \(id)") }
            return Response(status: .ok)
        }
        router.get("/api/status") { _, _ in try json(status()) }
        router.get("/api/events") { _, _ in eventStream() }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.scrape(status()))))
        }
        router.post("/api/stream/start") { _, _ in streamer.start(by: "api"); return try json(status()) }
        router.post("/api/stream/stop") { _, _ in streamer.stop(by: "api"); return try json(status()) }
        router.post("/api/stream/toggle") { _, _ in streamer.toggle(by: "api"); return try json(status()) }
        router.post("/api/audio/mute") { _, _ in streamer.setMuted(true); return try json(status()) }
        router.post("/api/audio/unmute") { _, _ in streamer.setMuted(false); return try json(status()) }
    }

    /// `GET /api/events`: a server-sent event stream until the reader goes away or the agent stops.
    func eventStream() -> Response {
        let (id, stream) = events.subscribe()
        let body = ResponseBody { [events] writer in
            defer { events.unsubscribe(id) }
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))  // a reader reconnects after 2 s
            for await event in stream { try await writer.write(ByteBuffer(string: EventBus.serialize(event))) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    func patchSession(_ request: Request, id: String) async throws -> Response {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/trickle-ice-sdpfrag") == true else {
            return Self.error(.unsupportedMediaType, "unsupported content type", "PATCH takes application/trickle-ice-sdpfrag")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: TrickleFragment.maxBytes) } catch {
            return Self.error(.contentTooLarge, "fragment too large", "the limit is \(TrickleFragment.maxBytes) bytes")
        }
        switch whep.patchSession(id: id, ifMatch: request.headers[.ifMatch], fragmentText: String(buffer: body)) {
        case .trickled: return Response(status: .noContent)
        case .restarted(let fragment, let etag):
            return Response(status: .ok, headers: [.contentType: "application/trickle-ice-sdpfrag", .eTag: etag],
                            body: .init(byteBuffer: ByteBuffer(string: fragment)))
        case .unknownSession: return Self.error(.notFound, "unknown session", "no session \(id)")
        case .preconditionRequired: return Self.error(.preconditionRequired, "If-Match required", "send the session's ETag, or \"*\" to restart ICE")
        case .preconditionFailed: return Self.error(.preconditionFailed, "ETag mismatch", "the session's ETag has changed")
        case .badFragment(let detail): return Self.error(.badRequest, "malformed trickle-ice-sdpfrag", detail)
        }
    }

    func createSession(_ request: Request) async throws -> Response {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/sdp") == true else {
            return Self.error(.unsupportedMediaType, "unsupported content type", "POST /whep takes application/sdp")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maxOfferBytes) } catch {
            return Self.error(.contentTooLarge, "offer too large", "the limit is \(Self.maxOfferBytes) bytes")
        }
        do {
            let created = try whep.createSession(offerText: String(buffer: body))
            var headers: HTTPFields = [.contentType: "application/sdp", .location: "/whep/sessions/\(created.id)", .eTag: created.etag]
            for server in iceServers { headers.append(HTTPField(name: .link, value: server.headerValue)) }  // RFC 9725 §4.6
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: created.answer)))
        } catch .badOffer(let detail) {
            return Self.error(.badRequest, "malformed or unsupported offer", detail)
        } catch .full {
            var response = Self.error(.serviceUnavailable, "viewer limit reached", "try again later")
            response.headers[.retryAfter] = "5"
            return response
        }
    }

    func status() -> StatusReport {
        let now = MediaClock.monotonicNanoseconds()
        let viewers = transport.viewers
        return StatusReport(streaming: streamer.isStreaming, uptimeSeconds: Double(now - startedAt) / 1e9,
                            viewerCount: viewers.count, viewers: viewers,
                            video: streamer.videoReport(), audio: streamer.audioReport(), gpio: gpio?.status,
                            publish: publisher?.status, system: SystemReport.read())
    }

    func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ error: String, _ detail: String) -> Response {
        struct Body: Encodable { let error: String; let detail: String }
        let data = (try? JSONEncoder().encode(Body(error: error, detail: detail))) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let acceptPost = Self("Accept-Post")!
    static let link = Self("Link")!
}
