using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace EventSnn.Cli;

/// <summary>
/// Range checks for options, run while parsing: a value out of range is a usage error (exit code 2), one line
/// naming the flag, the allowed range and the value given.
/// </summary>
internal static class CliOptions
{
    /// <summary>Accepts only values in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <typeparam name="T">The option's number type.</typeparam>
    /// <param name="option">The option.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <param name="rule">How the rule reads in the message (default <c>in MIN..MAX</c>).</param>
    /// <returns>The option.</returns>
    public static Option<T> InRange<T>(this Option<T> option, T min, T max, string? rule = null)
        where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        string text = rule ?? string.Create(CultureInfo.InvariantCulture, $"in {min}..{max}");
        option.Validators.Add(result =>
        {
            if (Value(result, option) is T value && (T.IsNaN(value) || value < min || value > max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be {text} (got {value})"));
            }
        });
        return option;
    }

    /// <summary>Accepts only values above zero (and at most <paramref name="max"/>).</summary>
    /// <typeparam name="T">The option's number type.</typeparam>
    /// <param name="option">The option.</param>
    /// <param name="max">The largest value allowed.</param>
    /// <param name="unit">The unit named in the message (e.g. <c>seconds</c>).</param>
    /// <returns>The option.</returns>
    public static Option<T> Positive<T>(this Option<T> option, T max, string unit)
        where T : struct, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (Value(result, option) is T value && (T.IsNaN(value) || T.IsInfinity(value) || value <= T.Zero || value > max))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be a positive number of {unit}, at most {max} (got {value})"));
            }
        });
        return option;
    }

    /// <summary>Adds a custom check: <paramref name="problem"/> returns what is wrong with a value, or null.</summary>
    /// <typeparam name="T">The option's value type.</typeparam>
    /// <param name="option">The option.</param>
    /// <param name="problem">The check.</param>
    /// <returns>The option.</returns>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(problem);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0)
            {
                return;
            }

            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (problem(value) is { } message)
            {
                result.AddError($"{option.Name} {message}");
            }
        });
        return option;
    }

    private static T? Value<T>(OptionResult result, Option<T> option)
        where T : struct
    {
        // Defaults are in range by construction; a value that did not convert has its own error already.
        _ = option;
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
