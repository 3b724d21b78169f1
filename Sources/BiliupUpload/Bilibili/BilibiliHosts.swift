/// Bilibili's base URLs. Every request is sent through the host remap (`--host-remap`,
/// `BILIUP_HOST_REMAP`), so each of these, and every UPOS host a preupload answer names, can be pointed
/// at a mirror or at a local stand-in.
public enum BilibiliHosts {
    /// Creator center: preupload, submission, covers, archive view and edit.
    public static let member = "https://member.bilibili.com"
    /// Logins, QR codes, OAuth2 token info and refresh.
    public static let passport = "https://passport.bilibili.com"
    /// Account information (nav, myinfo).
    public static let api = "https://api.bilibili.com"
}
