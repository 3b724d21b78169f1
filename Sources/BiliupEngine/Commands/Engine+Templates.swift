import BiliupScript
import BiliupStore
import BiliupValues
import Foundation

// The engine's commands for upload templates. main.lua's templates are read-only here, as its streamers are.
extension Engine {
    public func templates() throws(EngineError) -> [TemplateRecord] {
        do { return try store.templates() } catch { throw EngineError(error) }
    }

    public func template(id: Int64) throws(EngineError) -> TemplateRecord {
        guard let t = try templates().first(where: { $0.id == id }) else { throw EngineError(.notFound, "template \(id) not found") }
        return t
    }

    /// Adds a template of the API's.
    public func addTemplate(name: String, fields: [String: JSONValue]) throws(EngineError) -> TemplateRecord {
        let record = TemplateRecord(name: try Self.templateName(name), origin: .api, fields: try Self.checkedFields(fields))
        let saved = try saveTemplate(record)
        publish(EngineEvent(.config, message: "template '\(saved.name)' added through the API"))
        return saved
    }

    /// Renames an API template or replaces its fields (nil: unchanged).
    public func updateTemplate(id: Int64, name: String?, fields: [String: JSONValue]?) throws(EngineError) -> TemplateRecord {
        var template = try apiTemplate(id)
        if let name { template.name = try Self.templateName(name) }
        if let fields { template.fields = try Self.checkedFields(fields) }
        let saved = try saveTemplate(template)
        publish(EngineEvent(.config, message: "template '\(saved.name)' changed through the API"))
        return saved
    }

    public func removeTemplate(id: Int64) throws(EngineError) {
        let template = try apiTemplate(id)
        do { try store.deleteTemplate(id: id) } catch { throw EngineError(error) }
        publish(EngineEvent(.config, message: "template '\(template.name)' deleted through the API"))
    }

    private func saveTemplate(_ record: TemplateRecord) throws(EngineError) -> TemplateRecord {
        do { return try store.saveTemplate(record) } catch { throw EngineError(error) }
    }

    private func apiTemplate(_ id: Int64) throws(EngineError) -> TemplateRecord {
        let template = try template(id: id)
        guard template.origin == .api else {
            throw EngineError(.declaredInScript, "template '\(template.name)' is declared in \(config.file); edit it there")
        }
        return template
    }

    /// The same rules as main.lua's templates; the first mistake is the answer, naming its field.
    private static func checkedFields(_ fields: [String: JSONValue]) throws(EngineError) -> [String: JSONValue] {
        if let problem = UploadTemplateFields.problems(in: fields).first { throw EngineError.invalid(problem.key, problem.message) }
        return fields
    }

    private static func templateName(_ name: String) throws(EngineError) -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw EngineError.invalid("name", "1 to 100 characters") }
        return name
    }
}
