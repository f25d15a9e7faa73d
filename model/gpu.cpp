#include "model/gpu.h"

namespace attnsim {

const char* tensor_path_name(TensorPath path) {
  switch (path) {
    case TensorPath::mma_sync:
      return "mma.sync";
    case TensorPath::wgmma:
      return "wgmma";
    case TensorPath::tcgen05:
      return "tcgen05";
  }
  return "?";
}

}  // namespace attnsim
