#include "registry/curl_option.hpp"

#include <fmt/format.h>

namespace deskext::registry {

Error option_refused(CURLoption option, CURLcode code) {
    // libcurl knows its options' names (without the CURLOPT_ prefix) since 7.73.
    const curl_easyoption* known = curl_easy_option_by_id(option);
    const std::string name = known != nullptr ? fmt::format("CURLOPT_{}", known->name)
                                              : fmt::format("option {}", static_cast<int>(option));
    return Error{ErrorCode::network,
                 fmt::format("libcurl refused {}: {}", name, curl_easy_strerror(code))};
}

}  // namespace deskext::registry
