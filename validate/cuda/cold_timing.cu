#include "cold_timing.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cuda_check.h"

namespace attnsim::bench {
namespace {

constexpr int kMinRepeats = 10;
constexpr int kMaxRepeats = 100;
constexpr double kTargetTimedSeconds = 0.25;

// Events are created once per point and destroyed with it.
class EventPair {
 public:
  EventPair() {
    CUDA_CHECK(cudaEventCreate(&start_));
    CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~EventPair() {
    (void)cudaEventDestroy(start_);
    (void)cudaEventDestroy(stop_);
  }
  EventPair(const EventPair&) = delete;
  EventPair& operator=(const EventPair&) = delete;
  EventPair(EventPair&& other) noexcept : start_(other.start_), stop_(other.stop_) {
    other.start_ = nullptr;
    other.stop_ = nullptr;
  }
  cudaEvent_t start() const { return start_; }
  cudaEvent_t stop() const { return stop_; }
  double seconds() const {
    float milliseconds = 0;
    CUDA_CHECK(cudaEventElapsedTime(&milliseconds, start_, stop_));
    return milliseconds * 1e-3;
  }

 private:
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

void timed_call(const std::function<void(cudaStream_t)>& call, cudaStream_t stream, L2Flusher& flusher,
                const EventPair& events) {
  flusher.flush(stream);
  CUDA_CHECK(cudaEventRecord(events.start(), stream));
  call(stream);
  CUDA_CHECK(cudaEventRecord(events.stop(), stream));
}

}  // namespace

void L2Flusher::flush(cudaStream_t stream) {
  // A different byte each time, so no layer can recognise the write as a no-op.
  CUDA_CHECK(cudaMemsetAsync(buffer_.as<void>(), fill_++, buffer_.bytes(), stream));
}

CallTiming time_cold_calls(const std::function<void(cudaStream_t)>& call, cudaStream_t stream, L2Flusher& flusher) {
  call(stream);  // warm-up
  CUDA_CHECK(cudaStreamSynchronize(stream));
  EventPair estimate_events;
  timed_call(call, stream, flusher, estimate_events);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  const double estimate = std::max(estimate_events.seconds(), 1e-6);
  const int repeats =
      static_cast<int>(std::clamp(std::ceil(kTargetTimedSeconds / estimate), double(kMinRepeats), double(kMaxRepeats)));

  std::vector<EventPair> events(static_cast<std::size_t>(repeats));
  for (const EventPair& e : events) timed_call(call, stream, flusher, e);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  std::vector<double> seconds;
  seconds.reserve(events.size());
  for (const EventPair& e : events) seconds.push_back(e.seconds());
  std::sort(seconds.begin(), seconds.end());
  const std::size_t n = seconds.size();
  CallTiming t;
  t.median_seconds = n % 2 == 1 ? seconds[n / 2] : 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]);
  t.min_seconds = seconds.front();
  t.max_seconds = seconds.back();
  t.repeats = repeats;
  return t;
}

}  // namespace attnsim::bench
