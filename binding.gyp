{
  "variables": {
    # 1 (HEATBATH_PORTABLE=1, set by `npm run prebuild`): the binary shipped in prebuilds/, loadable on
    # older Linux systems than the build machine (see native/portable/glibc_floor.cpp). Source builds
    # on a user's machine stay ordinary builds against its own libraries.
    "heatbath_portable%": "<!(node -p \"process.env.HEATBATH_PORTABLE === '1' ? 1 : 0\")",
    "heatbath_cflags": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wextra"]
  },
  "targets": [
    {
      "target_name": "heatbath_avx2",
      "type": "static_library",
      "sources": ["native/kernels/gibbs/gibbs_avx2.cpp", "native/kernels/gibbs_int/gibbs_int_avx2.cpp", "native/kernels/ceiling/ceiling_avx2.cpp", "native/kernels/dense/dense_avx2.cpp", "native/kernels/langevin/langevin_avx2.cpp", "native/kernels/moments/moments_avx2.cpp", "native/kernels/multispin/multispin_avx2.cpp"],
      "cflags_cc": ["<@(heatbath_cflags)", "-mavx2", "-mfma", "-fPIC"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(heatbath_cflags)", "-mavx2", "-mfma"] }
    },
    {
      "target_name": "heatbath_avx512",
      "type": "static_library",
      "sources": ["native/kernels/gibbs/gibbs_avx512.cpp", "native/kernels/ceiling/ceiling_avx512.cpp", "native/kernels/dense/dense_avx512.cpp", "native/kernels/langevin/langevin_avx512.cpp", "native/kernels/moments/moments_avx512.cpp", "native/kernels/multispin/multispin_avx512.cpp"],
      # GCC 12 warns that its own AVX-512 headers use or may use an uninitialised value (a false
      # positive, hundreds of times per build) wherever 256-bit halves are joined or split.
      "cflags_cc": ["<@(heatbath_cflags)", "-mavx512f", "-mavx2", "-mfma", "-fPIC", "-Wno-maybe-uninitialized", "-Wno-uninitialized"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(heatbath_cflags)", "-mavx512f", "-mavx2", "-mfma"] }
    },
    {
      "target_name": "heatbath_avx512bw",
      "type": "static_library",
      "sources": ["native/kernels/gibbs_int/gibbs_int_avx512.cpp"],
      "cflags_cc": ["<@(heatbath_cflags)", "-mavx512f", "-mavx512bw", "-mavx2", "-fPIC", "-Wno-maybe-uninitialized", "-Wno-uninitialized"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["<@(heatbath_cflags)", "-mavx512f", "-mavx512bw", "-mavx2"] }
    },
    {
      "target_name": "heatbath",
      "dependencies": [
        "heatbath_avx2",
        "heatbath_avx512",
        "heatbath_avx512bw",
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "sources": [
        "native/kernels/gibbs/gibbs_scalar.cpp",
        "native/kernels/gibbs_int/gibbs_int_scalar.cpp",
        "native/core/accept_table.cpp",
        "native/core/quantized_chains.cpp",
        "native/addon/quantized_wrap.cpp",
        "native/kernels/multispin/multispin_scalar.cpp",
        "native/core/multispin_chains.cpp",
        "native/addon/multispin_wrap.cpp",
        "native/kernels/moments/moments_scalar.cpp",
        "native/kernels/ceiling/ceiling_scalar.cpp",
        "native/kernels/dispatch.cpp",
        "native/kernels/dense/dense_scalar.cpp",
        "native/kernels/langevin/langevin_scalar.cpp",
        "native/core/checks.cpp",
        "native/core/memory.cpp",
        "native/core/beta_schedule.cpp",
        "native/core/graph.cpp",
        "native/core/update_order.cpp",
        "native/core/thread_pool.cpp",
        "native/core/gibbs_chains.cpp",
        "native/core/gemm.cpp",
        "native/core/rbm_conditional.cpp",
        "native/core/rbm_chains.cpp",
        "native/core/langevin_model.cpp",
        "native/core/langevin_chains.cpp",
        "native/core/tngd_device.cpp",
        "native/addon/convert.cpp",
        "native/addon/cancel_wrap.cpp",
        "native/addon/job_runner.cpp",
        "native/addon/async_jobs.cpp",
        "native/addon/watched_call.cpp",
        "native/addon/native_resource.cpp",
        "native/addon/chain_job.cpp",
        "native/addon/graph_wrap.cpp",
        "native/addon/spin_chains_wrap.cpp",
        "native/addon/gibbs_wrap.cpp",
        "native/addon/ceiling_wrap.cpp",
        "native/addon/dense_wrap.cpp",
        "native/addon/rbm_wrap.cpp",
        "native/addon/langevin_wrap.cpp",
        "native/addon/tngd_wrap.cpp",
        "native/addon/addon.cpp"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["<@(heatbath_cflags)", "-pthread"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["OS=='linux' and heatbath_portable==1", {
          "sources": ["native/portable/glibc_floor.cpp"],
          "ldflags": [
            "-static-libstdc++",
            "-Wl,--wrap=pthread_create", "-Wl,--wrap=pthread_join", "-Wl,--wrap=pthread_detach",
            "-Wl,--wrap=pthread_once", "-Wl,--wrap=pthread_key_create", "-Wl,--wrap=pthread_key_delete",
            "-Wl,--wrap=pthread_getspecific", "-Wl,--wrap=pthread_setspecific", "-Wl,--wrap=exp", "-Wl,--wrap=pow", "-Wl,--wrap=pthread_cond_clockwait",
            "-Wl,--wrap=__libc_single_threaded", "-Wl,--wrap=arc4random"
          ]
        }]
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["<@(heatbath_cflags)"]
      }
    }
  ]
}
