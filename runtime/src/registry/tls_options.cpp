#include "registry/tls_options.hpp"

#include <fstream>
#include <sstream>

#include "registry/curl_handles.hpp"
#include "registry/curl_option.hpp"

namespace deskext::registry {
namespace {

// The system CA bundle libcurl would use, read once: certs.d CAs are added to it, not put in
// its place (Docker trusts both).
const std::string& system_ca_bundle() {
    static const std::string bundle = [] {
        auto easy = make_easy();
        char* path = nullptr;
        std::string text;
        if (curl_easy_getinfo(easy.get(), CURLINFO_CAINFO, &path) == CURLE_OK && path != nullptr) {
            std::ifstream in(path, std::ios::binary);
            std::ostringstream buffer;
            buffer << in.rdbuf();
            text = buffer.str();
        }
        return text;
    }();
    return bundle;
}

}  // namespace

Result<void> set_tls_options(CURL* easy, const TlsSettings& tls, std::string& ca_bundle) {
    // Revocation is checked where a certificate says how (a CRL or OCSP address that answers),
    // but a certificate that names none, or whose list cannot be fetched, is not refused for it:
    // the certificates of private CAs (certs.d) name none, and Docker checks no revocation at
    // all. Only Schannel (Windows) checks revocation; other TLS back ends ignore the option.
    DESKEXT_TRY(
        set_option(easy, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_REVOKE_BEST_EFFORT)));
    if (!tls.verify) {
        DESKEXT_TRY(set_option(easy, CURLOPT_SSL_VERIFYPEER, 0L));
        DESKEXT_TRY(set_option(easy, CURLOPT_SSL_VERIFYHOST, 0L));
    }
    if (!tls.extra_ca_pem.empty()) {
        ca_bundle = system_ca_bundle() + "\n" + tls.extra_ca_pem;
        curl_blob blob{ca_bundle.data(), ca_bundle.size(), CURL_BLOB_NOCOPY};
        DESKEXT_TRY(set_option(easy, CURLOPT_CAINFO_BLOB, &blob));
    }
    if (!tls.client_cert.empty()) {
        DESKEXT_TRY(set_option(easy, CURLOPT_SSLCERT, tls.client_cert.c_str()));
        DESKEXT_TRY(set_option(easy, CURLOPT_SSLKEY, tls.client_key.c_str()));
    }
    return {};
}

}  // namespace deskext::registry
