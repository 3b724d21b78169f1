import Foundation
import HummingbirdBcrypt

/// Passwords: bcrypt, and what a password must be. (Bearer secrets are the engine's `TokenSecret`.)
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
}
