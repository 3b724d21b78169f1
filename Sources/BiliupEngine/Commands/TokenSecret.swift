import BiliupNet
import BiliupScript
import Foundation

/// Bearer secrets (API tokens and logins): random, shown once, kept in the store only as a SHA-256.
public enum TokenSecret {
    /// A new secret: 32 random bytes, base64url.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a secret.
    public static func hash(_ secret: String) -> String {
        Digest.hex(Digest.sha256(Array(secret.utf8)))
    }
}
