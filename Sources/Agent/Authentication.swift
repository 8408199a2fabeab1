internal import Hummingbird
internal import HTTPTypes
internal import NIOCore

/// Bearer-token authentication (RFC 6750 §2.1) on WHEP and the control API, as WHIP
/// (RFC 9725 §4.5) and WHEP ask. The viewer page and CORS preflights stay open; status,
/// events and metrics are open only when `publicStatus` says so.
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    let token: String
    let publicStatus: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !token.isEmpty, !isOpen(request), !authorized(request.headers[.authorization]) else {
            return try await next(request, context)
        }
        var response = HTTPRoutes.error(.unauthorized, "authentication required", "send Authorization: Bearer <token>")
        response.headers[.wwwAuthenticate] = "Bearer realm=\"pinhole\""
        return response
    }

    func isOpen(_ request: Request) -> Bool {
        let path = request.uri.path
        if request.method == .options || (request.method == .get && path == "/") { return true }
        return publicStatus && request.method == .get && ["/api/status", "/api/events", "/metrics"].contains(path)
    }

    /// Compares in time independent of where the first difference is.
    func authorized(_ header: String?) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let offered = Array(header.dropFirst(7).utf8), expected = Array(token.utf8)
        var difference = offered.count ^ expected.count
        for index in expected.indices { difference |= Int(expected[index] ^ (index < offered.count ? offered[index] : 0)) }
        return difference == 0
    }
}
