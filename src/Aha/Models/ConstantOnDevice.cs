using static TorchSharp.torch;

namespace Aha.Models;

/// <summary>
/// A constant tensor that lives outside every dispose scope, made again when asked for on another device (a model can
/// be moved after it is built); for a module's fixed tables that are not parameters or saved buffers.
/// </summary>
public sealed class ConstantOnDevice(Func<Device, Tensor> create)
{
    Tensor? _tensor;

    public Tensor On(Device device)
    {
        if (_tensor is null || _tensor.device_type != device.type || _tensor.device_index != device.index)
        {
            _tensor?.Dispose();
            _tensor = create(device).DetachFromDisposeScope();
        }
        return _tensor;
    }
}
