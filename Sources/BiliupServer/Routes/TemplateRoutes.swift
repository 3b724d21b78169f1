import BiliupStore
import Foundation
import Hummingbird

/// `/api/templates`: upload templates. main.lua's are read-only here, as its streamers are.
enum TemplateRoutes {
    static func add(to table: RouteTable, _ s: ServerServices) {
        table.add(.get, "/api/templates", "List upload templates", response: .json(.ref("TemplateList"))) { _, _ in
            JSON.response(Items(items: try await s.engine.templates().map(TemplateDTO.init)))
        }
        table.add(.post, "/api/templates", "Add a template (name, fields)", body: TemplateInput.self,
                  response: .json(.ref("Template")), status: 201) { request, context in
            let input = try await JSON.decode(TemplateInput.self, from: request, context: context)
            let saved = try await s.engine.addTemplate(name: input.name ?? "", fields: input.fields ?? [:])
            return JSON.response(TemplateDTO(saved), status: .created)
        }
        table.add(.get, "/api/templates/{id}", "One template", response: .json(.ref("Template"))) { _, context in
            JSON.response(TemplateDTO(try await s.engine.template(id: try context.id())))
        }
        table.add(.put, "/api/templates/{id}", "Change an API template (main.lua's: 409)", body: TemplateInput.self,
                  response: .json(.ref("Template"))) { request, context in
            let id = try context.id()
            let input = try await JSON.decode(TemplateInput.self, from: request, context: context)
            return JSON.response(TemplateDTO(try await s.engine.updateTemplate(id: id, name: input.name, fields: input.fields)))
        }
        table.add(.delete, "/api/templates/{id}", "Delete an API template", response: nil, status: 204) { _, context in
            try await s.engine.removeTemplate(id: try context.id())
            return Response(status: .noContent)
        }
    }
}
