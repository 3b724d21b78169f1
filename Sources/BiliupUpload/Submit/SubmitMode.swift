/// Which of Bilibili's submission endpoints an archive goes through (biliup's `--submit`).
public enum SubmitMode: String, Sendable, CaseIterable {
    /// The Android client's endpoints (`/x/vu/app/add`, `/x/vu/app/edit/full`), signed with the access token:
    /// biliup's default, and the one that allows many parts for every account.
    case app
    /// The creator center's web endpoints (`/x/vu/web/add/v3`, `/x/vu/web/edit`), with the cookies and the
    /// bili_jct csrf token.
    case web
}
