/// Levenshtein distance, for "did you mean" hints on misspelt option and field names (main.lua's
/// options, the API's request fields).
public enum EditDistance {
    /// The number of characters to insert, delete or replace to turn `a` into `b`.
    public static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }

    /// ` (did you mean "name"?)` for the known name closest to a misspelt `key`, or "" when none is close.
    public static func hint(for key: String, among known: some Collection<String>, within distance: Int = 2) -> String {
        guard let guess = known.min(by: { between(key, $0) < between(key, $1) }), between(key, guess) <= distance else { return "" }
        return " (did you mean \"\(guess)\"?)"
    }
}
