using TorchSharp;
using static TorchSharp.torch;

namespace Aha.Algorithms;

/// <summary>Reads several scalar diagnostics with one device sync (stack, then one copy to the host).</summary>
internal static class Scalars
{
    public static double[] Read(params Tensor[] scalars)
    {
        using var _ = torch.no_grad();
        using var stacked = torch.stack(scalars.Select(s => s.detach().to_type(ScalarType.Float64).reshape(1)).ToArray()).cpu();
        return stacked.data<double>().ToArray();
    }
}
