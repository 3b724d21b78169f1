/// The version `--version`, the API's status and the OpenAPI document report.
public enum BiliupVersion {
    public static let current = "0.5.0"
}
