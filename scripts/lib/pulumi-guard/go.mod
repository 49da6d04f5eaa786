module notebook-platform.local/pulumi-guard

go 1.22
