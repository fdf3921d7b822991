using System.Text;

namespace Aha.Configuration;

/// <summary>How C# property names become YAML keys, and the nearest-name suggestion for typos.</summary>
public static class ConfigNaming
{
    /// <summary>
    /// snake_case of a PascalCase name: <c>MaxNewTokens</c> → <c>max_new_tokens</c>, <c>UseKVCache</c> →
    /// <c>use_kv_cache</c>, <c>Beta1</c> → <c>beta1</c>, <c>K3Coef</c> → <c>k3_coef</c>.
    /// </summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool afterWord = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                bool acronymEnd = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (afterWord || acronymEnd) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The key as typed, with kebab-case accepted for snake_case: <c>max-new-tokens</c> → <c>max_new_tokens</c>.</summary>
    public static string NormalizeKey(string key) => key.Trim().Replace('-', '_');

    /// <summary>The candidate closest to <paramref name="typed"/> by edit distance, if close enough to be a likely typo.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int d = EditDistance(typed, candidate);
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best is not null && bestDistance <= Math.Max(2, typed.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance (insert, delete, substitute each cost 1).</summary>
    internal static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
