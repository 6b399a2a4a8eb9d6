namespace EventSnn.Simulator.Engines.Clock;

/// <summary>A small whole number as a type, so that a kernel generic over it specialises on the number (tile widths, state columns).</summary>
internal interface ICount
{
    static abstract int Value { get; }
}

/// <summary>0.</summary>
internal readonly struct C0 : ICount
{
    public static int Value => 0;
}

/// <summary>1.</summary>
internal readonly struct C1 : ICount
{
    public static int Value => 1;
}

/// <summary>2.</summary>
internal readonly struct C2 : ICount
{
    public static int Value => 2;
}

/// <summary>3.</summary>
internal readonly struct C3 : ICount
{
    public static int Value => 3;
}

/// <summary>4.</summary>
internal readonly struct C4 : ICount
{
    public static int Value => 4;
}

/// <summary>5.</summary>
internal readonly struct C5 : ICount
{
    public static int Value => 5;
}

/// <summary>6.</summary>
internal readonly struct C6 : ICount
{
    public static int Value => 6;
}

/// <summary>7.</summary>
internal readonly struct C7 : ICount
{
    public static int Value => 7;
}

/// <summary>8.</summary>
internal readonly struct C8 : ICount
{
    public static int Value => 8;
}
