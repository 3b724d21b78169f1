import BiliupNet

/// What preupload grants: where a file goes (endpoint + upos_uri), the auth for it, and the chunk size.
struct UposTicket: Sendable {
    /// "//upos-cs-upcdnbda2.bilivideo.com"
    var endpoint: String
    /// "upos://ugc/n<id>.<ext>"
    var uposURI: String
    var auth: String
    var bizId: Int64
    var chunkSize: Int64

    /// `https:` + endpoint + the upos_uri's key: where init, chunks and complete are sent.
    var url: String {
        let key = uposURI.hasPrefix("upos://") ? String(uposURI.dropFirst("upos://".count)) : uposURI
        return "https:" + endpoint + "/" + key
    }

    /// The stem of upos_uri's file name: what a submission names the part by.
    var remoteName: String {
        let file = uposURI.split(separator: "/").last.map(String.init) ?? uposURI
        guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
        return String(file[..<dot])
    }

    /// A UPOS request to this file's URL with `query`, carrying the auth.
    func request(_ method: String, query: String, timeout: Duration) -> HTTPRequest {
        HTTPRequest(url: url + "?" + query, method: method, headers: [("X-Upos-Auth", auth)], timeout: timeout,
                    maxBodyBytes: 1 << 20)
    }
}
