import BiliupStore
import Foundation
import Hummingbird

/// `/api/templates`: upload templates. main.lua's are read-only here, as its streamers are.
enum TemplateRoutes {
    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/templates", "List upload templates", response: .json(.ref("TemplateList"))) { _, _ in
            JSON.response(Items(items: try s.store.templates().map(TemplateDTO.init)))
        }
        table.add(.post, "/api/templates", "Add a template (name, fields)", body: TemplateInput.self,
                  response: .json(.ref("Template")), status: 201) { request, context in
            let input = try await JSON.decode(TemplateInput.self, from: request, context: context)
            let name = try validName(input.name)
            let saved = try s.store.saveTemplate(TemplateRecord(name: name, origin: .api, fields: input.fields ?? [:]))
            return JSON.response(TemplateDTO(saved), status: .created)
        }
        table.add(.get, "/api/templates/{id}", "One template", response: .json(.ref("Template"))) { _, context in
            JSON.response(TemplateDTO(try existing(s, try context.id())))
        }
        table.add(.put, "/api/templates/{id}", "Change an API template (main.lua's: 409)", body: TemplateInput.self,
                  response: .json(.ref("Template"))) { request, context in
            var template = try existing(s, try context.id())
            try requireAPIOwned(template)
            let input = try await JSON.decode(TemplateInput.self, from: request, context: context)
            if input.name != nil { template.name = try validName(input.name) }
            if let fields = input.fields { template.fields = fields }
            return JSON.response(TemplateDTO(try s.store.saveTemplate(template)))
        }
        table.add(.delete, "/api/templates/{id}", "Delete an API template", response: nil, status: 204) { _, context in
            let template = try existing(s, try context.id())
            try requireAPIOwned(template)
            try s.store.deleteTemplate(id: template.id!)
            return Response(status: .noContent)
        }
    }

    private static func validName(_ name: String?) throws -> String {
        let name = name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !name.isEmpty, name.count <= 100 else { throw APIError(.badRequest, "invalid_field", "name: 1 to 100 characters") }
        return name
    }

    private static func existing(_ s: ServerServices, _ id: Int64) throws -> TemplateRecord {
        guard let t = try s.store.templates().first(where: { $0.id == id }) else { throw APIError.notFound("template \(id) not found") }
        return t
    }

    private static func requireAPIOwned(_ t: TemplateRecord) throws {
        guard t.origin == .api else {
            throw APIError(.conflict, "declared_in_script", "template '\(t.name)' is declared in main.lua; edit it there")
        }
    }
}
