// Typed field access for OCI / Docker JSON documents; see json_fields.hpp.

#include "oci/json_fields.hpp"

#include <cstdint>
#include <limits>

#include "deskext/oci/media_types.hpp"

namespace deskext::oci::detail {

Error invalid(std::string_view what, std::string_view message) {
    return Error{ErrorCode::invalid_extension, std::string(what) + ": " + std::string(message)};
}

Error field_error(std::string_view what, std::string_view field, std::string_view problem) {
    return invalid(what, "\"" + std::string(field) + "\" " + std::string(problem));
}

Result<Json> parse_object(std::string_view text, std::size_t cap, std::string_view what) {
    if (text.size() > cap)
        return std::unexpected(invalid(what, "document is " + std::to_string(text.size()) +
                                                 " bytes, more than the limit of " +
                                                 std::to_string(cap)));
    Json document;
    try {
        document = Json::parse(text.begin(), text.end());
    } catch (const Json::exception& e) {
        return std::unexpected(invalid(what, std::string("not valid JSON: ") + e.what()));
    }
    if (!document.is_object())
        return std::unexpected(invalid(what, "the document is not a JSON object"));
    return document;
}

std::string join_field(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return std::string(parent) + "." + std::string(key);
}

std::string index_field(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

bool has_value(const Json& object, std::string_view key) {
    const auto it = object.find(key);
    return it != object.end() && !it->is_null();
}

Result<std::optional<std::string>> optional_string(const Json& object, std::string_view key,
                                                   std::string_view what,
                                                   std::string_view parent) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string())
        return std::unexpected(field_error(what, join_field(parent, key), "must be a string"));
    return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> required_string(const Json& object, std::string_view key,
                                    std::string_view what, std::string_view parent) {
    DESKEXT_TRY_ASSIGN(auto value, optional_string(object, key, what, parent));
    if (!value) return std::unexpected(field_error(what, join_field(parent, key), "is missing"));
    if (value->empty())
        return std::unexpected(field_error(what, join_field(parent, key), "is empty"));
    return std::move(*value);
}

Result<Annotations> string_map(const Json& object, std::string_view key, std::string_view what,
                               std::string_view parent) {
    Annotations result;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return result;
    const std::string field = join_field(parent, key);
    if (!it->is_object())
        return std::unexpected(field_error(what, field, "must be an object of strings"));
    for (const auto& [name, value] : it->items()) {
        if (!value.is_string())
            return std::unexpected(field_error(what, field + "." + name, "must be a string"));
        result.emplace(name, value.get<std::string>());
    }
    return result;
}

Result<Digest> digest_field(const Json& value, std::string_view what, std::string_view field) {
    if (!value.is_string())
        return std::unexpected(field_error(what, field, "must be a digest string"));
    auto digest = Digest::parse(value.get_ref<const std::string&>());
    if (!digest)
        return std::unexpected(field_error(what, field, "is invalid: " + digest.error().message));
    return std::move(*digest);
}

namespace {

Result<platform::Platform> parse_platform_object(const Json& value, std::string_view what,
                                                 std::string_view field) {
    if (!value.is_object())
        return std::unexpected(field_error(what, field, "must be an object"));
    DESKEXT_TRY_ASSIGN(auto os, required_string(value, "os", what, field));
    DESKEXT_TRY_ASSIGN(auto arch, required_string(value, "architecture", what, field));
    DESKEXT_TRY_ASSIGN(auto variant, optional_string(value, "variant", what, field));
    // "os.version" and "os.features" only matter for Windows containers: ignored.
    return platform::make_platform(os, arch, variant.value_or(""));
}

}  // namespace

Result<Descriptor> parse_descriptor(const Json& value, std::string_view what,
                                    std::string_view field) {
    if (!value.is_object())
        return std::unexpected(field_error(what, field, "must be a descriptor object"));
    Descriptor descriptor;
    DESKEXT_TRY_ASSIGN(descriptor.media_type, required_string(value, "mediaType", what, field));

    const auto digest = value.find("digest");
    if (digest == value.end() || digest->is_null())
        return std::unexpected(field_error(what, join_field(field, "digest"), "is missing"));
    DESKEXT_TRY_ASSIGN(descriptor.digest, digest_field(*digest, what, join_field(field, "digest")));

    const auto size = value.find("size");
    if (size == value.end() || size->is_null())
        return std::unexpected(field_error(what, join_field(field, "size"), "is missing"));
    if (size->is_number_unsigned()) {
        const auto raw = size->get<std::uint64_t>();
        if (raw > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::unexpected(field_error(what, join_field(field, "size"), "is too large"));
        descriptor.size = static_cast<std::int64_t>(raw);
    } else if (size->is_number_integer()) {
        descriptor.size = size->get<std::int64_t>();
        if (descriptor.size < 0)
            return std::unexpected(field_error(what, join_field(field, "size"),
                                               "must be a non-negative integer, got " +
                                                   std::to_string(descriptor.size)));
    } else {
        return std::unexpected(
            field_error(what, join_field(field, "size"), "must be a non-negative integer"));
    }

    if (const auto urls = value.find("urls"); urls != value.end() && !urls->is_null()) {
        if (!urls->is_array())
            return std::unexpected(
                field_error(what, join_field(field, "urls"), "must be an array of strings"));
        for (std::size_t i = 0; i < urls->size(); ++i) {
            const auto& url = (*urls)[i];
            if (!url.is_string())
                return std::unexpected(field_error(
                    what, index_field(join_field(field, "urls"), i), "must be a string"));
            descriptor.urls.push_back(url.get<std::string>());
        }
    }

    DESKEXT_TRY_ASSIGN(descriptor.annotations, string_map(value, "annotations", what, field));

    if (const auto platform = value.find("platform");
        platform != value.end() && !platform->is_null()) {
        DESKEXT_TRY_ASSIGN(descriptor.platform,
                           parse_platform_object(*platform, what, join_field(field, "platform")));
    }
    return descriptor;
}

Result<std::vector<Descriptor>> descriptor_array(const Json& document, std::string_view key,
                                                std::string_view what, std::size_t cap) {
    const auto array = document.find(std::string(key));
    if (array == document.end()) return std::unexpected(field_error(what, key, "is missing"));
    std::vector<Descriptor> out;
    if (array->is_null()) return out;
    if (!array->is_array()) return std::unexpected(field_error(what, key, "must be an array"));
    if (array->size() > cap)
        return std::unexpected(field_error(
            what, key,
            "has " + std::to_string(array->size()) + " entries, more than the limit of " +
                std::to_string(cap)));
    out.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
        DESKEXT_TRY_ASSIGN(auto descriptor,
                           parse_descriptor((*array)[i], what, index_field(key, i)));
        out.push_back(std::move(descriptor));
    }
    return out;
}

Error schema1_error(std::string_view what) {
    return invalid(what,
                   "Docker image manifest schema 1 is not supported; push the image again with "
                   "a current docker");
}

bool is_schema1_media_type(std::string_view media_type) {
    return media_type == media_type::docker_manifest_v1 ||
           media_type == media_type::docker_manifest_v1_signed;
}

Result<void> check_schema_version(const Json& document, std::string_view what) {
    const auto it = document.find("schemaVersion");
    if (it == document.end()) return {};
    if (!it->is_number_integer())
        return std::unexpected(field_error(what, "schemaVersion", "must be the integer 2"));
    const auto version = it->get<std::int64_t>();
    if (version == 1) return std::unexpected(schema1_error(what));
    if (version != 2)
        return std::unexpected(field_error(what, "schemaVersion",
                                           "must be 2, got " + std::to_string(version)));
    return {};
}

Result<std::string> resolve_media_type(const Json& document, std::string_view transport,
                                       std::string_view what, bool (*is_kind)(std::string_view),
                                       std::string_view fallback) {
    if (is_schema1_media_type(transport)) return std::unexpected(schema1_error(what));
    DESKEXT_TRY_ASSIGN(auto own, optional_string(document, "mediaType", what, ""));
    if (own && is_schema1_media_type(*own)) return std::unexpected(schema1_error(what));
    if (!transport.empty() && !is_kind(transport))
        return std::unexpected(invalid(what, "expected an " + std::string(what) +
                                                 ", but it was served as \"" +
                                                 std::string(transport) + "\""));
    if (own && !is_kind(*own))
        return std::unexpected(field_error(what, "mediaType",
                                           "is \"" + *own + "\", not an " + std::string(what) +
                                               " media type"));
    if (own && !transport.empty() && *own != transport)
        return std::unexpected(field_error(what, "mediaType",
                                           "is \"" + *own + "\" but the document was served as \"" +
                                               std::string(transport) + "\""));
    if (own) return std::move(*own);
    if (!transport.empty()) return std::string(transport);
    return std::string(fallback);
}

}  // namespace deskext::oci::detail
