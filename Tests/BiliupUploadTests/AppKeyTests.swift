import BiliupUpload
import Testing

@Suite struct AppKeyTests {
    @Test func signsTheSortedQueryWithTheAppSecret() {
        // md5("access_key=tok&appkey=4409e2ce8ffd12b8&local_id=0&ts=1700000000" + TV secret), by Python's hashlib.
        let query = AppKey.tv.signedQuery([("ts", "1700000000"), ("local_id", "0"), ("access_key", "tok")])
        #expect(query == "access_key=tok&appkey=4409e2ce8ffd12b8&local_id=0&ts=1700000000&sign=8b0a6ff96f15e5570dd229779638f397")
    }

    @Test func percentEncodesValuesBeforeSigning() {
        let query = AppKey.tv.signedQuery([("statistics", #"{"appId":1}"#), ("ts", "1")])
        #expect(query == "appkey=4409e2ce8ffd12b8&statistics=%7B%22appId%22%3A1%7D&ts=1&sign=4df4bfccb966bffcb3b325de338489ad")
    }

    @Test func aGivenAppkeyOrSignIsReplaced() {
        let query = AppKey.tv.signedQuery([("appkey", "other"), ("sign", "x"), ("ts", "1700000000"), ("local_id", "0"), ("access_key", "tok")])
        #expect(query.hasSuffix("&sign=8b0a6ff96f15e5570dd229779638f397"))
        #expect(!query.contains("other"))
    }
}
