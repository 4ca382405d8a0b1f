// The panel loop shared by the vector active-row kernels: panels go through the per-ISA kernel in
// groups of four (the widest that keeps its sums in registers), then the one to three left over.
#pragma once

#include <cstdint>
#include <type_traits>

namespace heatbath::kernels {

// Calls addPanels(std::integral_constant<int, P>{}, first panel of the group, its output) for each group.
template <int kPanelWidth, typename AddPanels>
inline void forActivePanelGroups(const float* firstPanel, int64_t panelStride, int numPanels, float* out,
                                 AddPanels&& addPanels) {
  int p = 0;
  for (; p + 4 <= numPanels; p += 4) {
    addPanels(std::integral_constant<int, 4>{}, firstPanel + p * panelStride, out + p * kPanelWidth);
  }
  const float* rest = firstPanel + p * panelStride;
  float* restOut = out + p * kPanelWidth;
  switch (numPanels - p) {
    case 3:
      addPanels(std::integral_constant<int, 3>{}, rest, restOut);
      break;
    case 2:
      addPanels(std::integral_constant<int, 2>{}, rest, restOut);
      break;
    case 1:
      addPanels(std::integral_constant<int, 1>{}, rest, restOut);
      break;
    default:
      break;
  }
}

}  // namespace heatbath::kernels
