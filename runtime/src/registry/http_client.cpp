// HttpClient over libcurl's multi interface: the requests of a call run at once on one multi
// handle, each a Transfer (registry/transfer.hpp) through its attempts, redirects and resumes.

#include "registry/http_client.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "registry/curl_handles.hpp"
#include "registry/transfer.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {

void ensure_curl_initialised() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

Result<void> StringSink::write(std::string_view chunk) {
    if (m_data.size() + chunk.size() > m_cap) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} is larger than the limit of {} bytes", m_what, m_cap));
    }
    m_data.append(chunk);
    return {};
}

Result<void> StringSink::restart() {
    m_data.clear();
    return {};
}

std::string HttpResponse::header(std::string_view lower_name) const {
    std::string value;
    for (const auto& [name, v] : headers) {
        if (name == lower_name) value = v;
    }
    return value;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view lower_name) const {
    std::vector<std::string> values;
    for (const auto& [name, v] : headers) {
        if (name == lower_name) values.push_back(v);
    }
    return values;
}

struct HttpClient::IdleHandles {
    std::mutex mutex;
    std::vector<CurlMulti> handles;

    CurlMulti take() {
        {
            const std::lock_guard lock(mutex);
            if (!handles.empty()) {
                auto multi = std::move(handles.back());
                handles.pop_back();
                return multi;
            }
        }
        return make_multi();
    }
    void give_back(CurlMulti multi) {
        const std::lock_guard lock(mutex);
        handles.push_back(std::move(multi));
    }
};

HttpClient::HttpClient(HttpParams params, ProxyConfig proxies, TlsFor tls_for)
    : m_params(params),
      m_proxies(std::move(proxies)),
      m_tls_for(std::move(tls_for)),
      m_idle(std::make_shared<IdleHandles>()) {}

Result<HttpResponse> HttpClient::run(const HttpRequest& request, BodySink* sink,
                                     long* transport_code) {
    Job job{request, sink, 0};
    auto results = run_all(std::span<Job>(&job, 1));
    if (transport_code != nullptr) *transport_code = job.transport_code;
    return std::move(results.front());
}

namespace {

// The transfers of one run_all on one multi handle, at most `limit` of them in flight.
class TransferBatch {
public:
    using Clock = std::chrono::steady_clock;

    TransferBatch(std::vector<std::unique_ptr<Transfer>> transfers, CURLM* multi,
                  std::size_t limit, const HttpClient::Watch& watch)
        : m_transfers(std::move(transfers)),
          m_multi(multi),
          m_limit(limit),
          m_watch(watch),
          m_reported(m_transfers.size(), false) {}

    // Starts the waiting transfers whose time has come while there is room; whether any is
    // still waiting, and in `next_wake` the earliest time one may start.
    bool start_ready(Clock::time_point& next_wake) {
        const auto now = Clock::now();
        bool pending = false;
        for (auto& t : m_transfers) {
            if (t->finished() || is_active(t.get())) continue;
            pending = true;
            if (m_active.size() >= m_limit) continue;
            if (t->not_before() > now) {
                next_wake = std::min(next_wake, t->not_before());
                continue;
            }
            start(*t);
        }
        report_finished();
        return pending;
    }

    // Hands each step libcurl finished to its transfer.
    void collect_done() {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(m_multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Transfer* t = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
            const CURLcode code = msg->data.result;
            curl_multi_remove_handle(m_multi, msg->easy_handle);
            m_active.erase(std::find(m_active.begin(), m_active.end(), t));
            t->on_done(code);
        }
        report_finished();
    }

    // Abandons every transfer not finished yet.
    void cancel() {
        for (auto* t : m_active) curl_multi_remove_handle(m_multi, t->easy());
        m_active.clear();
        for (auto& t : m_transfers)
            if (!t->finished()) t->fail_now(Error{ErrorCode::network, "cancelled"});
        report_finished();
    }

    [[nodiscard]] bool idle() const { return m_active.empty(); }
    [[nodiscard]] bool all_finished() const {
        return std::all_of(m_transfers.begin(), m_transfers.end(),
                           [](const auto& t) { return t->finished(); });
    }

    std::vector<Result<HttpResponse>> results(std::span<HttpClient::Job> jobs) {
        std::vector<Result<HttpResponse>> results;
        results.reserve(m_transfers.size());
        for (std::size_t i = 0; i < m_transfers.size(); ++i) {
            jobs[i].transport_code = m_transfers[i]->transport_code();
            results.push_back(m_transfers[i]->take_result());
        }
        return results;
    }

private:
    [[nodiscard]] bool is_active(const Transfer* t) const {
        return std::find(m_active.begin(), m_active.end(), t) != m_active.end();
    }

    void start(Transfer& t) {
        Result<CURL*> easy = nullptr;
        try {
            easy = t.start();
        } catch (const std::runtime_error& e) {
            easy = fail(ErrorCode::internal, e.what());
        }
        if (!easy) {
            t.fail_now(std::move(easy).error());
            return;
        }
        if (const CURLMcode added = curl_multi_add_handle(m_multi, *easy); added != CURLM_OK) {
            t.fail_now(Error{ErrorCode::internal, fmt::format("curl_multi_add_handle failed: {}",
                                                              curl_multi_strerror(added))});
            return;
        }
        m_active.push_back(&t);
    }

    void report_finished() {
        for (std::size_t i = 0; i < m_transfers.size(); ++i) {
            if (m_reported[i] || !m_transfers[i]->finished()) continue;
            m_reported[i] = true;
            if (m_watch.finished) m_watch.finished(i, m_transfers[i]->result());
        }
    }

    std::vector<std::unique_ptr<Transfer>> m_transfers;
    CURLM* m_multi;
    std::size_t m_limit;
    const HttpClient::Watch& m_watch;
    std::vector<Transfer*> m_active;
    std::vector<bool> m_reported;
};

}  // namespace

std::vector<Result<HttpResponse>> HttpClient::run_all(std::span<Job> jobs, const Watch& watch) {
    std::vector<std::unique_ptr<Transfer>> transfers;
    transfers.reserve(jobs.size());
    for (auto& job : jobs) {
        transfers.push_back(
            std::make_unique<Transfer>(job.request, job.sink, m_params, m_proxies, m_tls_for));
    }
    auto multi = m_idle->take();
    // A stop request wakes the poll below at once.
    const auto wake_up = [&multi] { curl_multi_wakeup(multi.get()); };
    std::optional<std::stop_callback<decltype(wake_up)>> wake;
    wake.emplace(watch.stop, wake_up);
    TransferBatch batch(std::move(transfers), multi.get(),
                        static_cast<std::size_t>(std::max(1, m_params.max_concurrent)), watch);
    while (true) {
        if (watch.stop.stop_requested()) {
            batch.cancel();
            break;
        }
        auto next_wake = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        const bool pending = batch.start_ready(next_wake);
        if (batch.idle() && !pending) break;
        int running = 0;
        curl_multi_perform(multi.get(), &running);
        batch.collect_done();
        if (batch.idle() && batch.all_finished()) break;
        // Waits for data, the next retry, or a stop request (curl_multi_wakeup).
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            next_wake - std::chrono::steady_clock::now());
        curl_multi_poll(multi.get(), nullptr, 0,
                        static_cast<int>(std::clamp<std::int64_t>(wait.count(), 1, 1000)), nullptr);
    }
    // No stop request reaches the handle once `wake` is gone; a stopped run's half-done
    // connections are not worth keeping.
    wake.reset();
    if (!watch.stop.stop_requested()) m_idle->give_back(std::move(multi));
    return batch.results(jobs);
}

}  // namespace deskext::registry
