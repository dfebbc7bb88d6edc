#pragma once
// Move-only owners of libcurl's C handles (docs/architecture.md: C handles in RAII types that fail
// loudly when creation fails). Private to runtime/src: <curl/curl.h> never reaches a public header.

#include <curl/curl.h>

#include <memory>
#include <stdexcept>

namespace deskext::registry {

struct CurlEasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlMultiDeleter {
    void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct CurlSlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;

// Initialises libcurl once per process (curl_global_init is not thread-safe before 7.84).
void ensure_curl_initialised();

[[nodiscard]] inline CurlEasy make_easy() {
    ensure_curl_initialised();
    CurlEasy easy(curl_easy_init());
    if (!easy) throw std::runtime_error("curl_easy_init failed");
    return easy;
}

[[nodiscard]] inline CurlMulti make_multi() {
    ensure_curl_initialised();
    CurlMulti multi(curl_multi_init());
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    return multi;
}

// A header list built line by line.
class CurlSlist {
public:
    void append(const char* line) {
        curl_slist* next = curl_slist_append(m_list.get(), line);
        if (next == nullptr) throw std::runtime_error("curl_slist_append failed");
        (void)m_list.release();
        m_list.reset(next);
    }
    [[nodiscard]] curl_slist* get() const { return m_list.get(); }

private:
    std::unique_ptr<curl_slist, CurlSlistDeleter> m_list;
};

}  // namespace deskext::registry
