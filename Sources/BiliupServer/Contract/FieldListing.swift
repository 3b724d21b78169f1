import BiliupStore
import BiliupValues
import Foundation

/// The fields a request body type reads, found by running its `init(from:)` against a decoder that
/// notes every key asked for (`decodeIfPresent`: optional, `decode`: required) with its type. The
/// fields a route accepts and the request schemas of openapi.json thus come from the input types
/// themselves and cannot drift from them.
enum FieldListing {
    /// The closed object schema of `type`'s fields, under their JSON (snake_case) names; `narrowed`
    /// replaces the shape of some of them (null stays allowed for an optional one).
    static func schema<T: Decodable>(of type: T.Type, narrowed: [String: Schema] = [:]) -> ObjectSchema {
        let listing = Listing()
        do {
            _ = try T(from: ListingDecoder(listing: listing))
        } catch {
            // A programming error (a field type without a shape below), met as soon as the route table is built.
            preconditionFailure("FieldListing: cannot list the fields of \(T.self): \(error)")
        }
        for (name, schema) in narrowed {
            precondition(listing.properties[name] != nil, "FieldListing: \(T.self) has no field \(name) to narrow")
            listing.properties[name] = listing.required.contains(name) ? schema : .nullable(schema)
        }
        return ObjectSchema(properties: listing.properties, required: listing.required, closed: true)
    }

    /// The field types request bodies use: their shape, and a stand-in value to go on decoding with.
    fileprivate static func shape<T>(of type: T.Type) -> (schema: Schema, standIn: T)? {
        let shapes: [(Any.Type, Schema, Any)] = [
            (String.self, .string(), ""),
            (Bool.self, .boolean, false),
            (Double.self, .number, 0.0),
            (Int.self, .integer(), 0),
            (Int64.self, .integer(), Int64(0)),
            ([String].self, .array(.string()), [String]()),
            ([String: JSONValue].self, .map(.any), [String: JSONValue]()),
            (JSONValue.self, .any, JSONValue.null),
        ]
        guard let (_, schema, standIn) = shapes.first(where: { $0.0 == type }), let value = standIn as? T else { return nil }
        return (schema, value)
    }
}

private final class Listing {
    var properties: [String: Schema] = [:]
    var required: Set<String> = []
}

private struct ListingError: Error, CustomStringConvertible {
    let description: String
}

private struct ListingDecoder: Decoder {
    let listing: Listing
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(ListingContainer<Key>(listing: listing))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw ListingError(description: "a request body is a JSON object") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw ListingError(description: "a request body is a JSON object") }
}

private struct ListingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let listing: Listing
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    /// Notes the field and hands back a stand-in value.
    private func note<T>(_ key: Key, _ type: T.Type, required: Bool) throws -> T {
        guard let (schema, standIn) = FieldListing.shape(of: type) else {
            throw ListingError(description: "\(key.stringValue): \(T.self) has no shape in FieldListing.shape(of:)")
        }
        // The JSON name, as JSON.decoder's convertFromSnakeCase maps it to the Swift one.
        let name = JSON.snakeCase(key.stringValue)
        // An optional field also takes null (decodeIfPresent reads null as absent).
        listing.properties[name] = required ? schema : .nullable(schema)
        if required { listing.required.insert(name) }
        return standIn
    }

    func contains(_ key: Key) -> Bool { false }
    func decodeNil(forKey key: Key) throws -> Bool { true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try note(key, type, required: true) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try note(key, type, required: true) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try note(key, type, required: true) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try note(key, type, required: true) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try note(key, type, required: true) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try note(key, type, required: true) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try note(key, type, required: true) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try note(key, type, required: true) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try note(key, type, required: true) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try note(key, type, required: true) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try note(key, type, required: true) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try note(key, type, required: true) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try note(key, type, required: true) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try note(key, type, required: true) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try note(key, type, required: true) }

    // Without these, the library's decodeIfPresent would ask `contains` and never name the type.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { _ = try note(key, type, required: false); return nil }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { _ = try note(key, type, required: false); return nil }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { _ = try note(key, type, required: false); return nil }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { _ = try note(key, type, required: false); return nil }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { _ = try note(key, type, required: false); return nil }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { _ = try note(key, type, required: false); return nil }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw ListingError(description: "\(key.stringValue): nested containers are not listed")
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw ListingError(description: "\(key.stringValue): nested containers are not listed")
    }

    func superDecoder() throws -> any Decoder { ListingDecoder(listing: listing) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ListingDecoder(listing: listing) }
}
