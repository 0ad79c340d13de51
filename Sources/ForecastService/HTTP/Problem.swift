import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answered as an RFC 9457 problem document (`application/problem+json`): `type`, `title`, `status`,
/// `detail`, and `field` (a JSON pointer into the request body) where one field is at fault.
struct Problem: HTTPResponseError {
    let status: HTTPResponse.Status
    let type: String
    let detail: String
    var field: String?
    var headers: HTTPFields = [:]

    static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(status: .badRequest, type: "about:blank", detail: detail, field: field)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, type: "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job", detail: detail)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: Any] = ["type": type, "title": status.reasonPhrase, "status": status.code, "detail": detail]
        if let field { body["field"] = field }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
