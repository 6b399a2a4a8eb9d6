using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>Raises one-line errors that name the network file, the JSON path and the problem.</summary>
internal sealed class FileErrors(string file)
{
    public string File { get; } = file;

    public NetworkFileException At(string path, string problem) => new(File, path, problem);
}

/// <summary>A JSON value and its path (<c>$.populations[2].params</c>).</summary>
internal readonly partial struct Node(JsonElement value, string path, FileErrors errors)
{
    public JsonElement Value { get; } = value;

    public string Path { get; } = path;

    public FileErrors Errors { get; } = errors;

    public JsonValueKind Kind => Value.ValueKind;

    public bool IsArray => Value.ValueKind == JsonValueKind.Array;

    public bool IsObject => Value.ValueKind == JsonValueKind.Object;

    public bool IsNumber => Value.ValueKind == JsonValueKind.Number;

    public NetworkFileException Error(string problem) => Errors.At(Path, problem);

    public static string Child(string path, string key) => KeyPattern().IsMatch(key) ? $"{path}.{key}" : $"{path}['{key.Replace("'", "\\'", StringComparison.Ordinal)}']";

    public Node Item(int index) => new(Value[index], $"{Path}[{index}]", Errors);

    public int Length => Value.GetArrayLength();

    public IEnumerable<Node> Items()
    {
        int i = 0;
        foreach (JsonElement e in Value.EnumerateArray())
        {
            yield return new Node(e, $"{Path}[{i++}]", Errors);
        }
    }

    /// <summary>Opens an object whose keys must all belong to <paramref name="keys"/>.</summary>
    public ObjectNode Object(KeySet keys, string? what = null)
    {
        ObjectNode o = ObjectAnyKeys(what ?? "an object");
        o.CheckKeys(keys, what);
        return o;
    }

    /// <summary>Opens an object without checking its keys (the caller checks them).</summary>
    public ObjectNode ObjectAnyKeys(string what = "an object")
    {
        if (Value.ValueKind != JsonValueKind.Object)
        {
            throw Error($"expected {what}, got {Describe(Value)}");
        }

        return new ObjectNode(this);
    }

    public Node Array(string what = "an array")
    {
        if (Value.ValueKind != JsonValueKind.Array)
        {
            throw Error($"expected {what}, got {Describe(Value)}");
        }

        return this;
    }

    public string String(string what = "a string")
    {
        if (Value.ValueKind != JsonValueKind.String)
        {
            throw Error($"expected {what}, got {Describe(Value)}");
        }

        return Value.GetString()!;
    }

    public string NonEmptyString(string what = "a non-empty string")
    {
        string s = String(what);
        if (s.Trim().Length == 0)
        {
            throw Error($"expected {what}, got an empty string");
        }

        return s;
    }

    public bool Bool()
    {
        if (Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw Error($"expected true or false, got {Describe(Value)}");
        }

        return Value.GetBoolean();
    }

    public double Number()
    {
        if (Value.ValueKind != JsonValueKind.Number)
        {
            throw Error($"expected a number, got {Describe(Value)}");
        }

        if (!Value.TryGetDouble(out double v) || !double.IsFinite(v))
        {
            throw Error($"must be a finite number (got {Value.GetRawText()})");
        }

        return v;
    }

    public long Integer(long min, long max)
    {
        if (Value.ValueKind != JsonValueKind.Number)
        {
            throw Error($"expected an integer, got {Describe(Value)}");
        }

        if (!Value.TryGetInt64(out long v))
        {
            if (decimal.TryParse(Value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d) && d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue)
            {
                v = (long)d;
            }
            else
            {
                throw Error($"must be an integer in {min}..{max} (got {Value.GetRawText()})");
            }
        }

        if (v < min || v > max)
        {
            throw Error($"must be an integer in {min}..{max} (got {v})");
        }

        return v;
    }

    public int Int(int min, int max) => (int)Integer(min, max);

    public ulong Seed()
    {
        if (Value.ValueKind == JsonValueKind.Number && Value.TryGetUInt64(out ulong s))
        {
            return s;
        }

        throw Error($"must be an integer in 0..{ulong.MaxValue} (got {(Value.ValueKind == JsonValueKind.Number ? Value.GetRawText() : Describe(Value))})");
    }

    /// <summary>A time in a unit of <paramref name="unitTicks"/> ticks, converted exactly to ticks.</summary>
    public long Ticks(long unitTicks)
    {
        if (Value.ValueKind != JsonValueKind.Number)
        {
            throw Error($"expected a number, got {Describe(Value)}");
        }

        if (!UnitTime.TryToTicks(Value.GetRawText(), unitTicks, out long ticks, out string? why))
        {
            throw Error(why!);
        }

        return ticks;
    }

    public double[] Numbers(int? length = null, string? lengthWhat = null)
    {
        Array("an array of numbers");
        if (length is int n && Length != n)
        {
            throw Error($"has {Length} values, expected {n}{(lengthWhat is null ? string.Empty : " " + lengthWhat)}");
        }

        var values = new double[Length];
        int i = 0;
        foreach (Node item in Items())
        {
            values[i++] = item.Number();
        }

        return values;
    }

    public int[] Ints(int min, int max)
    {
        Array("an array of integers");
        var values = new int[Length];
        int i = 0;
        foreach (Node item in Items())
        {
            values[i++] = item.Int(min, max);
        }

        return values;
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"a string ({Shorten(e.GetString() ?? string.Empty)})",
        JsonValueKind.Number => $"a number ({e.GetRawText()})",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Shorten(string s) => s.Length > 40 ? $"\"{s[..40]}…\"" : $"\"{s}\"";

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_]*$")]
    private static partial Regex KeyPattern();
}

/// <summary>A JSON object whose keys are checked against a <see cref="KeySet"/>; duplicate keys are errors.</summary>
internal sealed class ObjectNode
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);

    public ObjectNode(Node node)
    {
        Node = node;
        foreach (JsonProperty p in node.Value.EnumerateObject())
        {
            if (!_values.TryAdd(p.Name, p.Value))
            {
                throw node.Errors.At(Node.Child(node.Path, p.Name), $"duplicate key '{p.Name}'");
            }
        }
    }

    public Node Node { get; }

    public string Path => Node.Path;

    public IEnumerable<string> Keys => _values.Keys;

    public NetworkFileException Error(string problem) => Node.Error(problem);

    public string PathOf(string key) => Node.Child(Path, key);

    public bool Has(string key) => _values.ContainsKey(key);

    public void CheckKeys(KeySet keys, string? what = null)
    {
        foreach (string key in _values.Keys)
        {
            if (!keys.Accepts(key))
            {
                throw Node.Errors.At(PathOf(key), UnknownKey(key, keys.AllKeys, what));
            }
        }
    }

    /// <summary>The message for a key that is not allowed, with the closest allowed key when one is near.</summary>
    public static string UnknownKey(string key, IEnumerable<string> allowed, string? what = null)
    {
        string[] all = [.. allowed];
        string? near = Suggest(key, all);
        string where = what is null ? string.Empty : $" in {what}";
        return near is not null
            ? $"unknown key '{key}'{where}; did you mean '{near}'?"
            : $"unknown key '{key}'{where} (allowed: {string.Join(", ", all)})";
    }

    public bool TryGet(string key, out Node value)
    {
        if (_values.TryGetValue(key, out JsonElement e))
        {
            value = new Node(e, PathOf(key), Node.Errors);
            return true;
        }

        value = default;
        return false;
    }

    public Node Required(string key, string? hint = null)
    {
        if (!TryGet(key, out Node value))
        {
            throw Error($"missing key '{key}'{(hint is null ? string.Empty : $" ({hint})")}");
        }

        return value;
    }

    public Node? Optional(string key) => TryGet(key, out Node value) ? value : null;

    /// <summary>The one time key with base <paramref name="baseName"/> (<c>base_ms</c>, …), its unit in ticks, or null when none is given.</summary>
    public (Node Value, long UnitTicks)? Time(string baseName)
    {
        (Node, long)? found = null;
        string? foundKey = null;
        foreach (string key in _values.Keys)
        {
            long unit = UnitTime.UnitOf(key, baseName);
            if (unit == 0)
            {
                continue;
            }

            if (foundKey is not null)
            {
                throw Node.Errors.At(PathOf(key), $"give the time once: '{foundKey}' and '{key}' both set '{baseName}'");
            }

            foundKey = key;
            TryGet(key, out Node value);
            found = (value, unit);
        }

        return found;
    }

    public (Node Value, long UnitTicks) RequiredTime(string baseName)
        => Time(baseName) ?? throw Error($"missing key '{baseName}_ms' (or '{baseName}_s', '{baseName}_us', '{baseName}_ns', '{baseName}_ticks')");

    private static string? Suggest(string key, string[] allowed)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string a in allowed)
        {
            int d = a.StartsWith(key + "_", StringComparison.Ordinal) ? 1 : Distance(key.ToLowerInvariant(), a.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = a;
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 4) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            int diag = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int up = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diag + (a[i - 1] == b[j - 1] ? 0 : 1));
                diag = up;
            }
        }

        return row[b.Length];
    }
}
