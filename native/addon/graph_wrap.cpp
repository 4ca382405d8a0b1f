#include "graph_wrap.h"

#include "convert.h"

namespace heatbath::addon {

Napi::Function GraphWrap::Define(Napi::Env env) {
  return DefineClass(env, "Graph",
                     {InstanceAccessor("numColours", &GraphWrap::NumColours, nullptr),
                      InstanceMethod("colours", &GraphWrap::Colours)});
}

GraphWrap::GraphWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GraphWrap>(info) {
  guarded(info.Env(), [&] {
    if (info.Length() < 4)
      throw invalidArgument("Graph(numNodes, src, dst, colouring) needs 4 arguments");
    const auto numNodes = static_cast<int32_t>(argInteger(info[0], "numNodes", 1, kMaxGraphNodes));
    auto src = argArray<int32_t>(info[1], "src");
    auto dst = argArray<int32_t>(info[2], "dst", static_cast<int64_t>(src.ElementLength()));
    graph_ = std::make_shared<SparseGraph>(
        buildGraph(numNodes, src.Data(), dst.Data(), static_cast<int64_t>(src.ElementLength())));
    if (info[3].IsString()) {
      const std::string method = info[3].As<Napi::String>().Utf8Value();
      if (method != "dsatur" && method != "greedy") {
        throw invalidArgument("colouring must be \"dsatur\", \"greedy\" or an Int32Array of blocks");
      }
      colourGraph(*graph_, method == "greedy" ? ColouringMethod::Greedy : ColouringMethod::Dsatur);
    } else {
      setColouring(*graph_, argArray<int32_t>(info[3], "blocks", numNodes).Data());
    }
  });
}

Napi::Value GraphWrap::NumColours(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), graph_->numColours);
}

Napi::Value GraphWrap::Colours(const Napi::CallbackInfo& info) {
  return toTypedArray(info.Env(), std::vector<int32_t>(graph_->colour));
}

}  // namespace heatbath::addon
