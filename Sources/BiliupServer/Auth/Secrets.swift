import BiliupScript
import Foundation
import HummingbirdBcrypt

/// Passwords (bcrypt) and bearer secrets (random, stored as SHA-256).
public enum Secrets {
    /// bcrypt's work factor: about a quarter second per login on this kind of machine, which makes
    /// guessing slow without making a login feel slow.
    public static let defaultCost: UInt8 = 12
    /// Shorter passwords are refused.
    public static let minimumPasswordLength = 8

    public static func hashPassword(_ password: String, cost: UInt8 = defaultCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    public static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// Why a password is refused, or nil.
    public static func weakness(of password: String) -> String? {
        if password.count < minimumPasswordLength { return "a password needs at least \(minimumPasswordLength) characters" }
        if password.utf8.count > 72 { return "bcrypt uses at most 72 bytes of a password; choose a shorter one" }
        return nil
    }

    /// A new bearer secret: 32 random bytes, base64url.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a secret.
    static func tokenHash(_ token: String) -> String {
        Digest.hex(Digest.sha256(Array(token.utf8)))
    }
}
