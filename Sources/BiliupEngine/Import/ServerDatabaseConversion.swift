import BiliupValues
import Foundation

/// biliup's server database as an `ImportPlan`: the global config of its `configuration` row, each
/// `uploadstreamers` row as a template, the `livestreamers` rows of one remark as one streamer (biliup
/// keeps a row per URL), and the cookie files of `bilibili-cookies` as accounts.
extension BiliupConfigConversion {
    static func plan(from database: BiliupServerDatabase) -> ImportPlan {
        var conversion = BiliupConfigConversion()
        var config: [String: JSONValue] = [:]
        for (key, value) in database.configuration {
            switch key {
            case "config":
                if case .object(let o)? = ImportValues.json(.string(value)) { config = ImportValues.withoutNulls(o) } else {
                    conversion.note("configuration.config", "is not a JSON object; the global options are not carried over")
                }
            case "bilibili-cookies":
                let account = ImportedAccount(name: TemplateConversion.accountName(cookieFile: value), cookieFile: value)
                if !conversion.plan.accounts.contains(account) { conversion.plan.accounts.append(account) }
            case "biliup": conversion.note("configuration.biliup", "the web page's password is not carried over; add a user with `biliup user add`")
            default: conversion.note("configuration.\(key)", "not a configuration row biliup documents (reference §6.3)")
            }
        }
        // The database's rows are the streamers; the ones of the config JSON were copied into them by biliup.
        if let streamers = config.removeValue(forKey: "streamers"), streamers != .object([:]), streamers != .null {
            conversion.note("configuration.config.streamers", "biliup copies these into livestreamers at start; the rows are imported instead")
        }
        conversion.readGlobal(config)
        if case .object(let user)? = config["user"] { conversion.readUser(user) }

        var templateNames: [Int64: String] = [:]
        for row in database.uploadStreamers {
            guard case .string(let name)? = row["template_name"], !name.isEmpty else {
                conversion.note("uploadstreamers[\(row["id"].map(ImportValues.describe) ?? "?")]", "has no template_name")
                continue
            }
            if case .int(let id)? = row["id"] { templateNames[id] = name }
            conversion.addTemplate(name: name, row)
        }
        var groups: [(remark: String, rows: [[String: JSONValue]])] = []
        for row in database.liveStreamers {
            let remark: String
            if case .string(let r)? = row["remark"], !r.isEmpty { remark = r } else if case .string(let url)? = row["url"] { remark = url } else { continue }
            if let i = groups.firstIndex(where: { $0.remark == remark }) { groups[i].rows.append(row) } else { groups.append((remark, [row])) }
        }
        for (remark, rows) in groups {
            var fields = rows[0]
            fields["url"] = .array(rows.compactMap { $0["url"] })
            let key = "livestreamers.\(quoted(remark))"
            let templates = Set(rows.compactMap { row -> Int64? in if case .int(let id)? = row["upload_streamers_id"] { id } else { nil } })
            if templates.count > 1 { conversion.note(key, "its URLs have different upload templates; the first one's is used") }
            var template: String?
            if case .int(let id)? = fields["upload_streamers_id"] { template = templateNames[id] }
            conversion.readStreamer(name: remark, fields, key: key, template: template)
        }
        conversion.noteUnusedPlatformKeys()
        return conversion.plan
    }

    private mutating func addTemplate(name: String, _ row: [String: JSONValue]) {
        let key = "uploadstreamers.\(Self.quoted(name))"
        var template = TemplateConversion(key: key, defaultCookieFile: "cookies.json", line: nil, submit: nil, urls: [])
        let noUpload = row["uploader"] == .string("Noop") || row["uploader"] == .string("noop")
        guard var fields = template.fields(from: row) else { return }
        if noUpload {
            fields["account"] = nil
            note(key + ".uploader", "Noop: the template is kept without an account, so nothing is uploaded")
        } else if let account = template.account, !plan.accounts.contains(account) {
            plan.accounts.append(account)
        }
        plan.notes += template.notes
        plan.templates.append(ImportedTemplate(name: name, fields: fields))
    }
}
