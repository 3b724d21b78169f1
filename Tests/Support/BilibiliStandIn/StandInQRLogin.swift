import Foundation

/// What happens to the TV QR codes the stand-in hands out.
enum QRScript {
    /// Nobody scans: polls answer 86039 forever.
    case waiting
    /// Each code is waited on for `afterPolls` polls, shown scanned for `scannedPolls` more, then logs `mid` in.
    case confirm(afterPolls: Int, scannedPolls: Int, mid: Int64)
    /// Every outstanding and future code answers 86038.
    case expired
}

extension BilibiliStandIn {
    /// QR codes are scanned by `account`: each code's first `n` polls answer 86039 (waiting), the next
    /// `scannedPolls` 86090 (scanned, not confirmed), the one after that 0 with the login.
    public func qrScanAfterPolls(_ n: Int, account: StandInAccount, scannedPolls: Int = 0) {
        lock.withLock { state.qrScript = .confirm(afterPolls: n, scannedPolls: scannedPolls, mid: account.mid) }
    }

    /// Every QR code expires: polls answer 86038.
    public func qrExpire() {
        lock.withLock { state.qrScript = .expired }
    }

    func installQRLoginRoutes() {
        route("/x/passport-tv-login/qrcode/auth_code") { [unowned self] request, writer in
            let form = String(decoding: request.body, as: UTF8.self)
            guard request.method == "POST", Self.signatureIsValid(form) else { return refuse(writer, .badSign) }
            let code = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            lock.withLock { state.qrCodes[code] = 0 }
            sendEnvelope(writer, data: [
                "url": "https://passport.bilibili.com/x/passport-tv-login/h5/qrcode/auth?auth_code=\(code)", "auth_code": code,
            ])
        }
        route("/x/passport-tv-login/qrcode/poll") { [unowned self] request, writer in
            let form = String(decoding: request.body, as: UTF8.self)
            guard request.method == "POST", Self.signatureIsValid(form) else { return refuse(writer, .badSign) }
            switch poll(authCode: Self.formFields(form)["auth_code"] ?? "") {
            case .waiting: sendEnvelope(writer, code: 86039, message: "二维码尚未确认")
            case .scanned: sendEnvelope(writer, code: 86090, message: "二维码已扫码未确认")
            case .expired: sendEnvelope(writer, code: 86038, message: "二维码已失效")
            case .done(let login):
                var data = login
                let token = login["token_info"] as! [String: Any]
                for key in ["mid", "access_token", "refresh_token", "expires_in"] { data[key] = token[key] }
                data["is_new"] = false
                sendEnvelope(writer, data: data)
            }
        }
    }

    private enum PollAnswer {
        case waiting, scanned, expired
        case done([String: Any])
    }

    /// One poll of `authCode`; a code that logged in is used up.
    private func poll(authCode: String) -> PollAnswer {
        lock.withLock {
            guard let polls = state.qrCodes[authCode] else { return .expired }
            state.qrCodes[authCode] = polls + 1
            switch state.qrScript {
            case .waiting:
                return .waiting
            case .expired:
                state.qrCodes[authCode] = nil
                return .expired
            case .confirm(let afterPolls, let scannedPolls, let mid):
                if polls < afterPolls { return .waiting }
                if polls < afterPolls + scannedPolls { return .scanned }
                state.qrCodes[authCode] = nil
                guard let account = state.accounts[mid] else { return .expired }
                return .done(account.login)
            }
        }
    }
}
