// JS handle on a validated, coloured SparseGraph (shared, immutable once built).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/graph.h"

namespace heatbath::addon {

class GraphWrap : public Napi::ObjectWrap<GraphWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // new Graph(numNodes, src: Int32Array, dst: Int32Array, colouring: 'dsatur' | 'greedy' | Int32Array)
  explicit GraphWrap(const Napi::CallbackInfo& info);

  std::shared_ptr<const SparseGraph> graph() const { return graph_; }

 private:
  Napi::Value NumColours(const Napi::CallbackInfo& info);
  Napi::Value Colours(const Napi::CallbackInfo& info);
  std::shared_ptr<SparseGraph> graph_;
};

}  // namespace heatbath::addon
