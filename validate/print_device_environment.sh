#!/usr/bin/env bash
# The GPU, driver, clocks, power limit and PyTorch/cuDNN/Nsight Compute versions a device run
# records beside its data (validate/run_*_device.sh). Reads state only.
echo "== date"
date -u
nvidia-smi
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu \
  --format=csv
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())"
ncu --version
