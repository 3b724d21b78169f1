/// A field of a submission a user sets, named as in the JSON body. An `UploadError` about one of them has
/// the field's name as its context, so a command line can name its option and a template its key.
public enum StudioField: String, Sendable, CaseIterable {
    case title, tid, tag, desc, copyright, source, dtime, cover, videos

    /// The field Bilibili's refusal code is about, for the codes whose meaning is known.
    public static func refused(code: Int) -> StudioField? {
        switch code {
        case 21001: .title   // 标题不能为空
        case 21003: .tid     // 分区不存在
        case 21012: .source  // 转载来源不能为空
        default: nil
        }
    }

    /// The field an error is about, if it is about one.
    public static func of(_ error: UploadError) -> StudioField? { StudioField(rawValue: error.context) }
}
