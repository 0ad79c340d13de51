import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer TOKEN` on every route but the health checks (which probes call without
/// credentials). The comparison takes the same time wherever the tokens differ.
struct BearerToken<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/v2/health/") { return try await next(request, context) }
        let given = request.headers[.authorization] ?? ""
        guard Self.equal(Array(given.utf8), Array("Bearer \(token)".utf8)) else {
            var problem = Problem(status: .unauthorized, type: "about:blank",
                                  detail: given.isEmpty ? "this service requires a bearer token" : "the bearer token is not valid")
            problem.headers[.wwwAuthenticate] = "Bearer realm=\"forecastd\""
            throw problem
        }
        return try await next(request, context)
    }

    private static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
