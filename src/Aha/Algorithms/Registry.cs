namespace Aha.Algorithms;

/// <summary>
/// A name → entry table, the shape of veRL's <c>register_adv_est</c> / <c>register_policy_loss</c>: names are
/// lower-case and unique; registering a name again for a different entry throws; looking up an unknown name throws an
/// <see cref="ArgumentException"/> that lists the valid ones. Lookups follow <see cref="AlgorithmName"/>.
/// </summary>
/// <typeparam name="T">The entry type (a record holding the function, its formula and its source).</typeparam>
public sealed class Registry<T> where T : class
{
    readonly string _kind;
    readonly Dictionary<string, T> _entries = new(StringComparer.Ordinal);
    readonly Lock _lock = new();

    /// <param name="kind">What the entries are, for messages ("policy loss").</param>
    public Registry(string kind) => _kind = kind;

    /// <summary>Adds <paramref name="entry"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, or already registered for a different entry.</exception>
    public T Register(string name, T entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = Key(name);
        if (key.Length == 0) throw new ArgumentException($"A {_kind} needs a name.", nameof(name));
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing) && !ReferenceEquals(existing, entry) && !existing.Equals(entry))
                throw new ArgumentException($"The {_kind} '{key}' is already registered.", nameof(name));
            _entries[key] = entry;
        }
        return entry;
    }

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public T Get(string? name)
    {
        if (TryGet(name, out var entry)) return entry;
        throw new ArgumentException(UnknownMessage(name), nameof(name));
    }

    /// <summary>Looks <paramref name="name"/> up without throwing.</summary>
    /// <remarks>Names match by <see cref="AlgorithmName.Matches"/>: <c>token_mean</c> finds <c>token-mean</c>.</remarks>
    public bool TryGet(string? name, out T entry)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(Key(name), out entry!)) return true;
            foreach (var (k, v) in _entries)
                if (AlgorithmName.Matches(k, name)) { entry = v; return true; }
            return false;
        }
    }

    /// <summary>"Unknown policy loss 'x'. Valid values: a, b, c."</summary>
    public string UnknownMessage(string? name) => $"Unknown {_kind} '{name}'. Valid values: {string.Join(", ", Names)}.";

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get { lock (_lock) return _entries.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    static string Key(string? name) => name?.Trim().ToLowerInvariant() ?? "";
}
