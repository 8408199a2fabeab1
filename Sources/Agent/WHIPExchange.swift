internal import AsyncHTTPClient
internal import FoundationEssentials
internal import NIOCore
internal import NIOHTTP1

/// The HTTP side of WHIP (RFC 9725 §4.2–4.4): POST the offer, read the 201 with its answer and
/// `Location`, DELETE the resource at the end. Redirects (307/308, §4.5) are followed with their
/// method and body; 4xx and 5xx become errors that say whether and when to try again.
struct WHIPExchange: Sendable {
    let client: HTTPClient
    let url: String
    let token: String

    struct Published: Sendable {
        var answer: String
        /// The session's URL (§4.2: `Location`, relative to the URL that answered).
        var resource: String
        /// `Link: <...>; rel="ice-server"` headers (§4.6), as sent.
        var iceServers: [String]
    }

    enum Failure: Error, Sendable, CustomStringConvertible {
        case unreachable(String)
        case refused(status: Int, detail: String, retryAfterSeconds: Int?)
        case badAnswer(String)

        var description: String {
            switch self {
            case .unreachable(let why): "WHIP endpoint unreachable: \(why)"
            case .refused(let status, let detail, _): "WHIP endpoint answered \(status)\(detail.isEmpty ? "" : ": \(detail)")"
            case .badAnswer(let why): "WHIP answer unusable: \(why)"
            }
        }

        /// The server's Retry-After (RFC 9110 §10.2.3), in seconds, when it gave one.
        var retryAfterSeconds: Int? {
            if case .refused(_, _, let seconds) = self { return seconds }
            return nil
        }
    }

    func post(offer: String) async throws(Failure) -> Published {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/sdp")
        authorize(&request)
        request.body = .bytes(ByteBuffer(string: offer))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(10))
            body = try await response.body.collect(upTo: 256 * 1024)
        } catch {
            throw .unreachable("\(error)")
        }
        let text = String(buffer: body)
        guard response.status == .created else {
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { Int(Substring($0).trimmingCharacters()) }
            throw .refused(status: Int(response.status.code), detail: String(text.prefix(200)), retryAfterSeconds: retryAfter)
        }
        guard let location = response.headers.first(name: "Location"),
              let resource = URL(string: location, relativeTo: response.url ?? URL(string: url))?.absoluteString else {
            throw .badAnswer("201 without a usable Location")
        }
        return Published(answer: text, resource: resource, iceServers: response.headers[canonicalForm: "Link"].map(String.init)
            .filter { $0.contains("rel=\"ice-server\"") })
    }

    /// ICE restart (§4.3.2): PATCH with `If-Match: "*"` and the new credentials; the server's
    /// fragment with its own comes back in a 200. Anything else means it cannot restart.
    func restart(resource: String, fragment: String) async throws(Failure) -> String {
        var request = HTTPClientRequest(url: resource)
        request.method = .PATCH
        request.headers.add(name: "Content-Type", value: "application/trickle-ice-sdpfrag")
        request.headers.add(name: "If-Match", value: "\"*\"")
        authorize(&request)
        request.body = .bytes(ByteBuffer(string: fragment))
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            let body = String(buffer: try await response.body.collect(upTo: 64 * 1024))
            guard response.status == .ok else { throw Failure.refused(status: Int(response.status.code), detail: String(body.prefix(200)), retryAfterSeconds: nil) }
            return body
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unreachable("\(error)")
        }
    }

    /// Ends the session on the server (§4.4); failures do not matter (it may be gone already).
    func delete(resource: String) async {
        var request = HTTPClientRequest(url: resource)
        request.method = .DELETE
        authorize(&request)
        _ = try? await client.execute(request, timeout: .seconds(3))
    }

    private func authorize(_ request: inout HTTPClientRequest) {
        if !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }  // §4.7
    }
}
