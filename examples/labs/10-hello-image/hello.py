print("Hello from my image!")
