using System.Globalization;
using System.Numerics;

namespace Aha.Rewards;

/// <summary>
/// An exact rational number n/d with BigInteger parts, always reduced, denominator &gt; 0.
/// Used wherever rewards compare numbers, so that 0.1 + 0.2 = 3/10 exactly.
/// </summary>
public readonly record struct BigRational
{
    public BigInteger Numerator { get; }
    public BigInteger Denominator { get; }

    public BigRational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
            throw new DivideByZeroException("A rational number cannot have denominator 0.");
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }
        var g = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!g.IsOne && !g.IsZero)
        {
            numerator /= g;
            denominator /= g;
        }
        Numerator = numerator;
        Denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    public static BigRational FromInteger(BigInteger value) => new(value, BigInteger.One);

    public static readonly BigRational Zero = FromInteger(0);

    public bool IsInteger => Denominator.IsOne;

    public bool IsZero => Numerator.IsZero;

    public static BigRational operator +(BigRational a, BigRational b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational operator -(BigRational a, BigRational b) =>
        new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static BigRational operator -(BigRational a) => new(-a.Numerator, a.Denominator);

    public static BigRational operator *(BigRational a, BigRational b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    /// <exception cref="DivideByZeroException">when b is 0.</exception>
    public static BigRational operator /(BigRational a, BigRational b) =>
        b.IsZero
            ? throw new DivideByZeroException("Division by zero.")
            : new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public double ToDouble() => (double)Numerator / (double)Denominator;

    /// <summary>"7", "-3/4".</summary>
    public override string ToString() =>
        IsInteger
            ? Numerator.ToString(CultureInfo.InvariantCulture)
            : $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses an ASCII decimal literal: optional sign, digits, optional '.' and digits, optional exponent
    /// (e/E, at most 4 digits). Digit count is capped by <paramref name="maxDigits"/> so hostile input cannot
    /// allocate huge integers. Returns false for anything else (no thousands separators, no unicode digits).
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, out BigRational value, int maxDigits = 4096)
    {
        value = Zero;
        int i = 0;
        bool negative = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            negative = s[i] == '-';
            i++;
        }
        int intStart = i;
        while (i < s.Length && IsAsciiDigit(s[i])) i++;
        var intPart = s[intStart..i];
        ReadOnlySpan<char> fracPart = default;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            int fracStart = i;
            while (i < s.Length && IsAsciiDigit(s[i])) i++;
            fracPart = s[fracStart..i];
        }
        if (intPart.Length == 0 && fracPart.Length == 0) return false;
        if (intPart.Length + fracPart.Length > maxDigits) return false;
        int exponent = 0;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            bool expNegative = false;
            if (i < s.Length && (s[i] == '-' || s[i] == '+'))
            {
                expNegative = s[i] == '-';
                i++;
            }
            int expStart = i;
            while (i < s.Length && IsAsciiDigit(s[i])) i++;
            int expDigits = i - expStart;
            if (expDigits == 0 || expDigits > 4) return false;
            exponent = int.Parse(s[expStart..i], NumberStyles.None, CultureInfo.InvariantCulture);
            if (exponent > maxDigits) return false;
            if (expNegative) exponent = -exponent;
        }
        if (i != s.Length) return false;

        var digits = string.Concat(intPart, fracPart);
        var numerator = digits.Length == 0 ? BigInteger.Zero : BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        int scale = fracPart.Length - exponent;
        var denominator = BigInteger.One;
        if (scale > 0) denominator = BigInteger.Pow(10, scale);
        else if (scale < 0) numerator *= BigInteger.Pow(10, -scale);
        value = new BigRational(negative ? -numerator : numerator, denominator);
        return true;
    }

    internal static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';
}
