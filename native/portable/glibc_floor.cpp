// Keeps the prebuilt binary loadable on glibc 2.28 (the oldest glibc that Node 20's own Linux builds
// run on) although it is built against a newer glibc. Only linked into portable builds
// (HEATBATH_PORTABLE=1, as `npm run prebuild` does), together with a static libstdc++ and one
// -Wl,--wrap=<name> per symbol below, so every reference to these names in our objects and in
// libstdc++.a lands here instead of on the build machine's newest version:
//  * pthread_*: glibc 2.34 moved them into libc.so.6 under a new version; the GLIBC_2.2.5 ones remain.
//  * exp, pow: glibc 2.29 added versions without the SVID error wrapper; the old ones return the same values.
//  * pthread_cond_clockwait (2.34): what libstdc++ calls for condition_variable::wait_for on the steady
//    clock; the deadline is moved to the realtime clock and waited for with pthread_cond_timedwait.
//  * __libc_single_threaded (2.32): libstdc++ skips atomic reference counts when it is non-zero; our
//    zero makes it always use them, which is correct in any process, merely not the single-thread shortcut.
//  * arc4random (2.36): only std::random_device would call it (we never construct one); getrandom
//    (2.25) gives the same kind of bytes.
// test/package.test.ts reads the binary's imported symbol versions and fails above GLIBC_2.28.
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>

#if !defined(__x86_64__) || !defined(__GLIBC__)
#error "the portable build pins x86-64 glibc symbol versions: build other targets without HEATBATH_PORTABLE"
#endif

#define HEATBATH_PIN(local, symbol) __asm__(".symver " #local ", " #symbol "@GLIBC_2.2.5")

extern "C" {

int pinned_pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
int pinned_pthread_join(pthread_t, void**);
int pinned_pthread_detach(pthread_t);
int pinned_pthread_once(pthread_once_t*, void (*)(void));
int pinned_pthread_key_create(pthread_key_t*, void (*)(void*));
int pinned_pthread_key_delete(pthread_key_t);
void* pinned_pthread_getspecific(pthread_key_t);
int pinned_pthread_setspecific(pthread_key_t, const void*);
double pinned_exp(double);
double pinned_pow(double, double);
HEATBATH_PIN(pinned_pthread_create, pthread_create);
HEATBATH_PIN(pinned_pthread_join, pthread_join);
HEATBATH_PIN(pinned_pthread_detach, pthread_detach);
HEATBATH_PIN(pinned_pthread_once, pthread_once);
HEATBATH_PIN(pinned_pthread_key_create, pthread_key_create);
HEATBATH_PIN(pinned_pthread_key_delete, pthread_key_delete);
HEATBATH_PIN(pinned_pthread_getspecific, pthread_getspecific);
HEATBATH_PIN(pinned_pthread_setspecific, pthread_setspecific);
HEATBATH_PIN(pinned_exp, exp);
HEATBATH_PIN(pinned_pow, pow);

__attribute__((visibility("hidden"))) int __wrap_pthread_create(pthread_t* thread, const pthread_attr_t* attr,
                                                                void* (*start)(void*), void* arg) {
  return pinned_pthread_create(thread, attr, start, arg);
}
__attribute__((visibility("hidden"))) int __wrap_pthread_join(pthread_t thread, void** result) {
  return pinned_pthread_join(thread, result);
}
__attribute__((visibility("hidden"))) int __wrap_pthread_detach(pthread_t thread) {
  return pinned_pthread_detach(thread);
}
__attribute__((visibility("hidden"))) int __wrap_pthread_once(pthread_once_t* once, void (*init)(void)) {
  return pinned_pthread_once(once, init);
}
__attribute__((visibility("hidden"))) int __wrap_pthread_key_create(pthread_key_t* key, void (*destructor)(void*)) {
  return pinned_pthread_key_create(key, destructor);
}
__attribute__((visibility("hidden"))) int __wrap_pthread_key_delete(pthread_key_t key) {
  return pinned_pthread_key_delete(key);
}
__attribute__((visibility("hidden"))) void* __wrap_pthread_getspecific(pthread_key_t key) {
  return pinned_pthread_getspecific(key);
}
__attribute__((visibility("hidden"))) int __wrap_pthread_setspecific(pthread_key_t key, const void* value) {
  return pinned_pthread_setspecific(key, value);
}
__attribute__((visibility("hidden"))) double __wrap_exp(double x) {
  return pinned_exp(x);
}
__attribute__((visibility("hidden"))) double __wrap_pow(double x, double y) {
  return pinned_pow(x, y);
}

__attribute__((visibility("hidden"))) int __wrap_pthread_cond_clockwait(pthread_cond_t* cond, pthread_mutex_t* mutex,
                                                                        clockid_t clock,
                                                                        const struct timespec* deadline) {
  if (clock == CLOCK_REALTIME)
    return pthread_cond_timedwait(cond, mutex, deadline);
  struct timespec now, realNow;
  clock_gettime(clock, &now);
  clock_gettime(CLOCK_REALTIME, &realNow);
  constexpr long kNanos = 1000000000L;
  long long nanos =
      (static_cast<long long>(deadline->tv_sec) - now.tv_sec) * kNanos + (deadline->tv_nsec - now.tv_nsec);
  if (nanos < 0)
    nanos = 0;
  nanos += realNow.tv_nsec;
  struct timespec realDeadline;
  realDeadline.tv_sec = realNow.tv_sec + static_cast<time_t>(nanos / kNanos);
  realDeadline.tv_nsec = static_cast<long>(nanos % kNanos);
  return pthread_cond_timedwait(cond, mutex, &realDeadline);
}

__attribute__((visibility("hidden"))) char __wrap___libc_single_threaded = 0;

__attribute__((visibility("hidden"))) uint32_t __wrap_arc4random(void) {
  uint32_t value = 0;
  char* at = reinterpret_cast<char*>(&value);
  for (size_t got = 0; got < sizeof value;) {
    const ssize_t n = getrandom(at + got, sizeof value - got, 0);
    if (n > 0)
      got += static_cast<size_t>(n);  // EINTR (n < 0) just retries
  }
  return value;
}

}  // extern "C"
