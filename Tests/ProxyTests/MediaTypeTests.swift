import Testing
@testable import Proxy

/// One JSON media-type check for the REST API and `/rpc`: the type itself, in any case, alone
/// or with parameters — and no other type that merely starts the same.
@Suite struct MediaTypeTests {
    @Test(arguments: ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
                      " application/json ", "application/json\t; q=1"])
    func jsonIsJSON(_ type: String) {
        #expect(MediaType.isJSON(type))
    }

    @Test(arguments: ["application/jsonx", "application/json-seq", "application/jso", "text/json", "", "application/json x",
                      "text/plain; application/json", "application/problem+json"])
    func otherTypesAreNot(_ type: String) {
        #expect(!MediaType.isJSON(type))
    }
}
