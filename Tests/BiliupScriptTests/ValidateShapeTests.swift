import BiliupScript
import Foundation
import Testing

/// `validate.shape` / `validate.need` with a shape: one declaration checks a whole answer and gives back a
/// typed copy; a mismatch names the path that failed, at the plugin's line.
@Suite struct ValidateShapeTests {
    /// What a check running `body` returned as its title (the shaped value as JSON, say).
    static func title(_ body: String) async throws -> String? {
        let (host, _) = try makeHost(["s": plugin("s", body)])
        return try await host.check("test://s/1").title
    }

    /// The message of the error a check running `body` raised.
    static func failure(_ body: String) async throws -> String {
        let (host, _) = try makeHost(["s": plugin("s", body)])
        return try #require(await checkError(host, "test://s/1")).message
    }

    @Test func listOfRecordsWithTransformGivesATypedCopy() async throws {
        let title = try await Self.title(#"""
            local answer = json.decode('{"data":{"extra":true,"streams":[{"url":"a","q":"1"},{"url":"b","q":"20"}]}}')
            local NUMBER = validate.transform("string", tonumber, "a number string")
            local data = validate.need(answer, "data", { streams = validate.list({ url = "string", q = NUMBER }) })
            assert(answer.data.streams[1].q == "1", "the answer itself is left as it was")
            assert(math.type(data.streams[2].q) == "integer")
            return { live = false, title = json.encode(data) }
            """#)
        #expect(title == #"{"extra":true,"streams":[{"q":1,"url":"a"},{"q":20,"url":"b"}]}"#)
    }

    @Test func aListElementThatDoesNotMatchIsNamedByIndex() async throws {
        let message = try await Self.failure(#"""
            local answer = json.decode('{"data":{"streams":[{"url":"a"},{"quality":"hd"}]}}')
            validate.need(answer, "data", { streams = validate.list({ url = "string" }) })
            """#)
        #expect(message.hasSuffix("s.lua:6: data.streams.2.url: expected string, got nil"), "\(message)")
    }

    @Test func aListIsAnArray() async throws {
        let title = try await Self.title("""
            return { live = false, title = tostring(#validate.shape({}, validate.list("number"))) }
            """)
        #expect(title == "0")
        let message = try await Self.failure("""
            validate.shape({ streams = { a = 1 } }, { streams = validate.list("number") })
            """)
        #expect(message.hasSuffix("s.lua:5: streams: expected list, got table"), "\(message)")
        let element = try await Self.failure("""
            validate.shape({ 1, 2, "3" }, validate.list("number"))
            """)
        #expect(element.hasSuffix("s.lua:5: 3: expected number, got string 3"), "\(element)")
    }

    @Test func unionTakesTheFirstShapeThatMatches() async throws {
        let title = try await Self.title("""
            local ID = validate.union("integer", validate.transform("string", tonumber, "a number string"))
            local a = validate.shape({ id = 5 }, { id = ID })
            local b = validate.shape({ id = "7" }, { id = ID })
            return { live = false, title = math.type(a.id) .. " " .. a.id .. " " .. math.type(b.id) .. " " .. b.id }
            """)
        #expect(title == "integer 5 integer 7")
    }

    @Test func unionFailureListsWhatWasExpected() async throws {
        let kind = try await Self.failure("""
            local ID = validate.union("integer", validate.transform("string", tonumber, "a number string"))
            validate.shape({ room = { id = true } }, { room = { id = ID } })
            """)
        #expect(kind.hasSuffix("s.lua:6: room.id: expected integer or string, got boolean true"), "\(kind)")
        let transform = try await Self.failure("""
            local ID = validate.union("integer", validate.transform("string", tonumber, "a number string"))
            validate.shape({ room = { id = "abc" } }, { room = { id = ID } })
            """)
        #expect(transform.hasSuffix("s.lua:6: room.id: expected integer or a number string, got string abc"), "\(transform)")
    }

    @Test func unionReportsTheAlternativeThatGotDeeper() async throws {
        let message = try await Self.failure("""
            validate.shape({ cover = { url = 5 } }, { cover = validate.union("string", { url = "string" }) })
            """)
        #expect(message.hasSuffix("s.lua:5: cover.url: expected string, got number 5"), "\(message)")
    }

    @Test func transformReturningNilFailsWithItsDescription() async throws {
        let message = try await Self.failure("""
            validate.need({ data = { expire = "soon" } }, "data", { expire = validate.transform("string", tonumber, "a time in seconds") })
            """)
        #expect(message.hasSuffix("s.lua:5: data.expire: expected a time in seconds, got string soon"), "\(message)")
    }

    @Test func optionalFieldsAndNullReadAsNil() async throws {
        let title = try await Self.title(#"""
            local answer = json.decode('{"title":null,"list":[1,null]}')
            local calls = 0
            local COUNTED = validate.transform("any", function(v) calls = calls + 1 return v end, "anything")
            local v = validate.shape(answer, { title = "string?", cover = validate.optional(COUNTED),
                                              list = validate.list("integer?") })
            assert(v.title == nil and v.cover == nil and v.list[1] == 1 and v.list[2] == nil)
            return { live = false, title = "transform calls: " .. calls }
            """#)
        #expect(title == "transform calls: 0")
        let message = try await Self.failure(#"""
            validate.shape(json.decode('{"title":null}'), { title = "string" })
            """#)
        #expect(message.hasSuffix("s.lua:5: title: expected string, got nil"), "\(message)")
    }

    @Test func integerKindGivesIntegersAndRefusesFractions() async throws {
        let title = try await Self.title("""
            local v = validate.shape({ n = 5.0 }, { n = "integer" })
            return { live = false, title = math.type(v.n) }
            """)
        #expect(title == "integer")
        let message = try await Self.failure("""
            validate.shape({ n = 5.5 }, { n = "integer" })
            """)
        #expect(message.hasSuffix("s.lua:5: n: expected integer, got number 5.5"), "\(message)")
    }

    @Test func theFirstWrongFieldInNameOrderIsReported() async throws {
        let message = try await Self.failure("""
            validate.shape({}, { zeta = "string", alpha = "number", mid = "table" })
            """)
        #expect(message.hasSuffix("s.lua:5: alpha: expected number, got nil"), "\(message)")
    }

    @Test func aWrongShapeIsAnErrorAtThePluginsLine() async throws {
        let kind = try await Self.failure("""
            validate.shape({ a = 1 }, { a = "strng" })
            """)
        #expect(kind.hasSuffix("s.lua:5: validate: unknown kind 'strng'"), "\(kind)")
        let union = try await Self.failure("""
            local x = 1
            validate.union("string")
            """)
        #expect(union.hasSuffix("s.lua:6: validate.union: expected at least two shapes"), "\(union)")
        let list = try await Self.failure("""
            local SHAPES = {}
            validate.shape({}, { streams = validate.list(SHAPES.stream) })
            """)
        #expect(list.hasSuffix("s.lua:6: validate.list: expected a shape"), "\(list)")
    }

    @Test func needKeepsItsKindsAndMessages() async throws {
        let title = try await Self.title("""
            local t = { data = { list = { { url = "u" } }, n = 3 } }
            local got = validate.need(t, "data.list.1.url", "string") .. validate.need(t, "data.n")
            return { live = false, title = got }
            """)
        #expect(title == "u3")
        let message = try await Self.failure("""
            validate.need({ data = {} }, "data.room")
            """)
        #expect(message.hasSuffix("s.lua:5: data.room: expected a value, got nil"), "\(message)")
    }
}
