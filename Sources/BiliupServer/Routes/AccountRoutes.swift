import BiliupEngine
import BiliupUpload
import BiliupValues
import Foundation
import Hummingbird

/// `/api/accounts`: the Bilibili accounts uploads go out as. Anyone may list them (names and states
/// only); logging in, importing, renewing and removing are an admin's, since accounts hold credentials.
enum AccountRoutes {
    /// Pixels per QR module: a TV code (~40 modules with its quiet zone) comes out about 300 px wide.
    static let qrScale = 6

    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/accounts", "List Bilibili accounts (never their cookies or tokens)", response: .json(.ref("AccountList"))) { _, _ in
            JSON.response(Items(items: try await s.engine.accounts().map(AccountDTO.init)))
        }
        table.add(.post, "/api/accounts/qr", "Start a TV QR login: the code as a PNG, valid until expires_at; poll it with GET",
                  access: .admin, body: QRLoginInput.self, response: .json(.ref("QRLoginStart")), status: 201) { request, context in
            let input = try await JSON.decode(QRLoginInput.self, from: request, context: context)
            let started = try await s.engine.startQRLogin(name: input.name)
            let code: QRCode
            do throws(UploadError) {
                code = try QRCode(encoding: started.url)
            } catch {
                throw APIError(.badGateway, "bilibili_unreachable", "passport's login URL cannot be drawn as a QR code: \(error.message)")
            }
            let png = "data:image/png;base64," + Data(code.png(scale: qrScale)).base64EncodedString()
            return JSON.response(QRLoginStartDTO(id: started.id, url: started.url, qrPng: png, expiresAt: started.expiresAt.timeIntervalSince1970),
                                 status: .created)
        }
        table.add(.get, "/api/accounts/qr/{id}", "Ask once how a QR login stands (at most one passport request a second); done: the stored account",
                  access: .admin, response: .json(.ref("QRLogin"))) { _, context in
            let id = try context.id()
            return JSON.response(QRLoginDTO(id: id, try await s.engine.pollQRLogin(id: id)))
        }
        table.add(.delete, "/api/accounts/qr/{id}", "Cancel a QR login", access: .admin, response: nil, status: 204) { _, context in
            try await s.engine.cancelQRLogin(id: try context.id())
            return Response(status: .noContent)
        }
        table.add(.post, "/api/accounts/import", "Import biliup's cookies.json (checked with Bilibili before it is stored)",
                  access: .admin, body: AccountImportInput.self, response: .json(.ref("Account")), status: 201) { request, context in
            let input = try await JSON.decode(AccountImportInput.self, from: request, context: context)
            // Plain keys: biliup's names exactly as sent, not the API's snake_case conversion.
            let cookies = try JSONEncoder().encode(input.cookies)
            return JSON.response(AccountDTO(try await s.engine.importAccount(cookiesJSON: cookies, name: input.name)), status: .created)
        }
        table.add(.delete, "/api/accounts/{id}", "Remove an account", access: .admin, response: nil, status: 204) { _, context in
            try await s.engine.removeAccount(id: try context.id())
            return Response(status: .noContent)
        }
        table.add(.post, "/api/accounts/{id}/renew", "Refresh an account's tokens now", access: .admin,
                  response: .json(.ref("Account"))) { _, context in
            JSON.response(AccountDTO(try await s.engine.renewAccount(id: try context.id())))
        }
    }
}
