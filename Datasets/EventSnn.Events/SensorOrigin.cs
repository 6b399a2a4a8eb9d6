namespace EventSnn.Events;

/// <summary>Where the sensor size of <see cref="EventStreamInfo.Sensor"/> comes from, i.e. how far it can be trusted.</summary>
public enum SensorOrigin
{
    /// <summary>No sensor size is known.</summary>
    None = 0,

    /// <summary>Stated by the file: its header, its camera model, or an address layout whose coordinates cannot exceed it.</summary>
    File,

    /// <summary>Given by the caller (reader options).</summary>
    Caller,

    /// <summary>Assumed by the format's convention (e.g. 34×34 for ATIS 40-bit files, N-MNIST's sensor); the data may exceed it.</summary>
    Assumed,

    /// <summary>The sensor of the dataset the file belongs to (chosen by a sensor rule, not by a reader).</summary>
    Dataset,

    /// <summary>The smallest size holding every event (chosen by a sensor rule from the data, not by a reader).</summary>
    Extent,
}
