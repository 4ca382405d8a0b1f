// What the addon uses of the core: the engines, and the kernel tables of the instruction set it runs
// on (chosen by kernels/dispatch.h). The addon includes this header, never a kernel header.
#pragma once
#include "../kernels/dispatch.h"
#include "gemm.h"
#include "gibbs_chains.h"
#include "graph.h"
#include "langevin_chains.h"
#include "multispin_chains.h"
#include "quantized_chains.h"
#include "rbm_chains.h"
#include "rbm_conditional.h"
#include "tngd_device.h"
