// swift-tools-version: 6.0
import PackageDescription
import Foundation

// Release builds compile the kernels for one CPU. FORECASTD_TARGET_CPU picks it: `native` (the default:
// the machine that builds), a CPU name such as `skylake-avx512` or `haswell` (AVX2 + FMA) for a compute
// node, or `x86-64` for a portable binary. Debug builds are always portable.
let targetCPU = ProcessInfo.processInfo.environment["FORECASTD_TARGET_CPU"] ?? "native"

let kernelSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", targetCPU, "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]
let kernelCSettings: [CSetting] = [
    .unsafeFlags(["-march=\(targetCPU)", "-O3", "-ffp-contract=fast", "-fno-math-errno", "-mprefer-vector-width=512"], .when(configuration: .release)),
]

let package = Package(
    name: "forecastd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "forecastd", targets: ["forecastd"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NetCDF", targets: ["NetCDF"]),
        .library(name: "OceanGrid", targets: ["OceanGrid"]),
        .library(name: "Surrogate", targets: ["Surrogate"]),
        .library(name: "OceanStepper", targets: ["OceanStepper"]),
        .library(name: "Plotting", targets: ["Plotting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNetCDF", pkgConfig: "netcdf", providers: [.apt(["libnetcdf-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .target(name: "CChunks", dependencies: ["CHDF5", "CDeflate"], cSettings: kernelCSettings),
        .target(name: "CProcessor", cSettings: kernelCSettings),
        .target(name: "CKernels", cSettings: kernelCSettings),
        .target(name: "CBulkFluxes", cSettings: kernelCSettings),
        .target(name: "CStepper", cSettings: kernelCSettings),
        .target(name: "Tensor", dependencies: ["CBLAS", "CProcessor", "CKernels"], swiftSettings: kernelSwiftSettings),
        .target(name: "NetCDF", dependencies: ["CNetCDF", "CChunks"]),
        .target(name: "Plotting", dependencies: ["CDeflate"]),
        .target(name: "OceanGrid", dependencies: ["Tensor", "NetCDF", "Plotting", "CBulkFluxes"], swiftSettings: kernelSwiftSettings),
        .target(name: "Surrogate", dependencies: ["OceanGrid", "Tensor", "NetCDF"], swiftSettings: kernelSwiftSettings),
        .target(name: "OceanStepper", dependencies: ["OceanGrid", "Tensor", "NetCDF", "CStepper"], swiftSettings: kernelSwiftSettings),
        .target(
            name: "ForecastService",
            dependencies: [
                "Surrogate", "OceanGrid", "NetCDF", "Tensor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "forecastd",
            dependencies: [
                "Tensor", "NetCDF", "OceanGrid", "Surrogate", "OceanStepper", "ForecastService", "CBLAS", "CProcessor", "CKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelSwiftSettings
        ),
        .target(name: "CAllocationCounter", path: "Tests/CAllocationCounter"),
        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "TestSupport"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CAllocationCounter", "TestSupport"]),
        .testTarget(name: "NetCDFTests", dependencies: ["NetCDF", "OceanGrid", "Tensor", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ServiceTests", dependencies: ["NetCDF", "TestSupport"], exclude: ["Clients"]),
        .testTarget(name: "ForecastServiceTests", dependencies: ["ForecastService", "Surrogate", "OceanGrid", "NetCDF", "TestSupport",
                                                                .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ModelTests", dependencies: ["OceanGrid", "Surrogate", "OceanStepper", "NetCDF", "Tensor", "CBulkFluxes", "CProcessor", "CAllocationCounter", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: kernelSwiftSettings),
    ]
)
